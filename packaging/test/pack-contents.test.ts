import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { importsOf, packageOf, runtimePackages } from './imports.js';
import { type PackedPackage, packAll, ROOT } from './pack.js';

const run = promisify(execFile);
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

interface Manifest {
  readonly exports: Record<string, string | Record<string, string>>;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

let packed: Map<string, PackedPackage>;

beforeAll(() => {
  packed = new Map(packAll().map((pkg) => [pkg.name, pkg]));
});

const pkg = (name: string): PackedPackage => packed.get(name) as PackedPackage;
const manifest = (name: string): Manifest =>
  JSON.parse(readFileSync(join(pkg(name).root, 'package.json'), 'utf8')) as Manifest;

describe.each(['progressrus', '@progressrus/ui'])('the %s tarball', (name) => {
  it('ships LICENSE, README, CHANGELOG and every file its exports and bin name', () => {
    const { files } = pkg(name);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md']));
    const { exports, bin = {} } = manifest(name);
    const targets = Object.values(exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    );
    for (const target of [...targets, ...Object.values(bin)]) {
      expect(files, `${name}: ${target}`).toContain(normalize(target));
    }
  });

  it('has a source map for each emitted file, and every source it names is in the tarball', () => {
    const { files, root } = pkg(name);
    const maps = files.filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(files.filter((file) => file.endsWith('.js')).length);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent = [] } = JSON.parse(
        readFileSync(join(root, map), 'utf8'),
      ) as { sources: string[]; sourcesContent?: (string | null)[] };
      sources.forEach((source, index) => {
        const shipped = files.includes(normalize(join(map, '..', source)));
        if (!shipped && typeof sourcesContent[index] !== 'string')
          missing.push(`${map} → ${source}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('has a README for users: no relative links, no source or test files of the repository', () => {
    const readme = readFileSync(join(pkg(name).root, 'README.md'), 'utf8');
    // npm shows the README without the repository around it: a relative link is a dead link.
    const relativeLinks = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)]+)\)/g)].map(
      (m) => m[1],
    );
    expect(relativeLinks).toEqual([]);
    // What contributors need (tests, soaks, where code lives) belongs in CONTRIBUTING.md.
    const repositoryPaths =
      readme.match(/(?<![\w@/.-])(?:src|test|plugin|ui|apps)\/[\w./-]+/g) ?? [];
    expect(repositoryPaths).toEqual([]);
  });

  it('passes publint, warnings included', async () => {
    // `--pack false`: lint the extracted tarball as it is, not a new pack of it.
    const { stdout } = await run(bin('publint'), [pkg(name).root, '--pack', 'false', '--strict']);
    expect(stdout).toContain('All good!');
  });

  it('passes @arethetypeswrong/cli for ESM-only packages (node16 from ESM, bundler)', async () => {
    // `esm-only`: the node10 and CommonJS columns do not apply to a package without a require
    // condition (Node ≥ 20.19 loads it with require() anyway); a problem fails the command.
    await expect(
      run(bin('attw'), [pkg(name).tarball, '--profile', 'esm-only', '--format', 'ascii']),
    ).resolves.toBeDefined();
  });

  it('imports no package it does not declare, in its code or its types', () => {
    const { files, root } = pkg(name);
    const { dependencies = {}, peerDependencies = {} } = manifest(name);
    const declared = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
    const undeclared = files
      .filter((file) => /\.(js|d\.ts)$/.test(file))
      .flatMap((file) =>
        importsOf(join(root, file))
          .map(({ specifier }) => packageOf(specifier))
          .filter((dep): dep is string => dep !== null && !declared.has(dep))
          .map((dep) => `${file} imports ${dep}`),
      );
    expect(undeclared).toEqual([]);
  });
});

describe('peer dependencies', () => {
  it('progressrus: ioredis, bullmq and pg are optional, and only the entries that use them load them', () => {
    const { peerDependenciesMeta = {} } = manifest('progressrus');
    for (const peer of ['ioredis', 'bullmq', 'pg']) {
      expect(peerDependenciesMeta[peer]?.optional, peer).toBe(true);
    }
    const { root } = pkg('progressrus');
    // What a memory-only or PostgreSQL-only user loads: no ioredis, no bullmq.
    expect([...runtimePackages(root, 'dist/index.js')]).toEqual([]);
    expect([...runtimePackages(root, 'dist/http/index.js')]).toEqual([]);
    // pg only in `PostgresStore.fromUrl()`, by a dynamic import: PGlite users need no pg.
    expect([...runtimePackages(root, 'dist/stores/postgres/index.js')]).toEqual(['pg']);
    expect([...runtimePackages(root, 'dist/testing/index.js')]).toEqual([]);
    expect([...runtimePackages(root, 'dist/bullmq/index.js')].sort()).toEqual([
      'bullmq',
      'ioredis',
    ]);
    expect([...runtimePackages(root, 'dist/cli/main.js')]).toEqual(['ioredis']);
  });

  it('@progressrus/ui: react is the only peer, and progressrus a dependency, of which it loads only progressrus/core', () => {
    const { dependencies = {}, peerDependencies = {} } = manifest('@progressrus/ui');
    expect(Object.keys(peerDependencies)).toEqual(['react']);
    expect(Object.keys(dependencies)).toEqual(['progressrus']);
    const ui = pkg('@progressrus/ui');
    expect([...runtimePackages(ui.root, 'dist/index.js')].sort()).toEqual(['progressrus', 'react']);
    const fromProgressrus = ui.files
      .filter((file) => file.startsWith('dist/') && file.endsWith('.js'))
      .flatMap((file) => importsOf(join(ui.root, file)))
      .filter(({ specifier, typeOnly }) => !typeOnly && packageOf(specifier) === 'progressrus')
      .map(({ specifier }) => specifier);
    expect(new Set(fromProgressrus)).toEqual(new Set(['progressrus/core']));
  });

  it('progressrus/core loads nothing but its own files: no package, no node: built-in', () => {
    const { root, files } = pkg('progressrus');
    expect([...runtimePackages(root, 'dist/core/index.js')]).toEqual([]);
    const specifiers = files
      .filter((file) => file.startsWith('dist/core/') && file.endsWith('.js'))
      .flatMap((file) => importsOf(join(root, file)).map(({ specifier }) => specifier));
    expect(specifiers.filter((specifier) => !specifier.startsWith('./'))).toEqual([]);
  });
});
