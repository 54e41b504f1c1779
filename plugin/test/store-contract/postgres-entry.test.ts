import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as postgres from '../../src/stores/postgres/index.js';
import * as postgresServer from '../../src/testing/postgres-server.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module specifier imported, statically or dynamically, by `file` and what it reaches in src. */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
    if (specifier?.startsWith('.'))
      importGraph(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), seen);
    else if (specifier) seen.add(specifier);
  }
  return seen;
}

describe('progressrus/postgres', () => {
  it('exports exactly this public API (a change here is a change for users)', () => {
    expect(Object.keys(postgres).sort()).toEqual(['PostgresStore']);
    expect(Object.keys(postgresServer).sort()).toEqual([
      'PostgresServerNotFoundError',
      'startPostgresServer',
    ]);
  });

  it('keeps pg out of the main entry, and loads it only when fromUrl() needs it', () => {
    const main = importGraph(`${SRC}index.ts`);
    expect(main.has(`${SRC}stores/redis/redis-store.ts`)).toBe(true);
    expect([...main].filter((module) => module === 'pg' || module.includes('postgres'))).toEqual(
      [],
    );
    const store = readFileSync(`${SRC}stores/postgres/postgres-store.ts`, 'utf8');
    expect(store).not.toMatch(/from 'pg'/);
    expect(store).toMatch(/await import\('pg'\)/);
  });
});
