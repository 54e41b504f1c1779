import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ErrorDTO, JobsPageDTO } from '../../src/core/dto.js';
import { createProgressHandler, type ProgressHandler } from '../../src/http/index.js';
import { MemoryStore, Progresser, RedisStore, STATUSES, type Store } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { postgresFixture } from '../store-contract/postgres-fixture.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);
vi.setConfig({ testTimeout: 180_000 });
const redis = connectRedis();
const pglite = new PGlite();

// Values near the edges of each parameter, and anything at all.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '%', '_', '\\', '\0', 'a\0b', '\ud800', '\u{10ffff}', 'Import 1', 'x'.repeat(201)),
);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const cursor = fc.oneof(
  text,
  // Well-formed cursors holding what no store writes: NUL (PostgreSQL text cannot hold it), huge keys.
  fc.constantFrom(
    encode(['name', 'desc', 'a\0b', 'job-1']),
    encode(['updatedAt', 'desc', 1, 'job\0']),
    encode(['updatedAt', 'desc', 1.7976931348623157e308, 'job-1']),
    encode(['percentage', 'desc', -1e-320, '\ud800']),
    encode(['name', 'desc', 'x'.repeat(5000), 'job-1']),
  ),
  // Well-formed base64url around arbitrary JSON: the decoder must judge what is inside.
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc
    .tuple(
      fc.constantFrom('updatedAt', 'startedAt', 'name', 'percentage', 'size'),
      fc.constantFrom('asc', 'desc', 'up'),
      fc.oneof(fc.double(), fc.string({ unit: 'binary' }), fc.constant(null), fc.jsonValue()),
      fc.oneof(fc.string({ unit: 'binary' }), fc.integer()),
    )
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
);
/** Mostly a valid value, sometimes any text. */
const maybe = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: valid }, text);
const params = fc.record(
  {
    status: maybe(fc.subarray([...STATUSES], { minLength: 1 }).map((each) => each.join(','))),
    name: fc.oneof(fc.constantFrom('imp', 'IMPORT 1', 'ä', '%'), text),
    sort: maybe(fc.constantFrom('updatedAt', 'startedAt', 'name', 'percentage')),
    order: maybe(fc.constantFrom('asc', 'desc')),
    // Mostly absent: almost every arbitrary cursor is refused, and a query with one is too.
    cursor: fc.option(cursor, { nil: undefined, freq: 3 }),
    limit: maybe(fc.integer({ min: -5, max: 1005 }).map(String)),
    scope: maybe(fc.constant('fuzz:1')),
  },
  { requiredKeys: [] },
).map((query) => Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)));

async function seed(store: Store): Promise<void> {
  for (let index = 0; index < 30; index++) {
    const progress = new Progresser({
      scope: ['fuzz', 1],
      id: `job-${index}${index % 5 === 0 ? '\u00e9' : ''}`,
      name: ['Import 9', 'import 10', 'Ärger', '%_x', ''][index % 5] || `job ${index}`,
      total: index % 4 === 0 ? null : 10,
      store,
      persist: true,
      retention: { completedMs: null, failedMs: null, unfinishedMs: null },
      // The same times in every store, some shared, so that pages compare and ties are broken by id.
      now: () => Date.parse('2026-03-01T12:00:00Z') + (index % 7) * 1000,
    });
    progress.tick(index % 11);
    await (index % 3 === 0 ? progress.complete() : progress.flush());
  }
}

/**
 * `GET /jobs` with arbitrary parameters, against every kind of store: a well-formed query is
 * a 200 with a page, anything else a 400 with the one error shape, never a 500.
 */
describe('GET /jobs with arbitrary query parameters', () => {
  const handlers: [string, ProgressHandler][] = [];
  let closePostgres: () => Promise<void> = async () => {};

  beforeAll(async () => {
    await pglite.waitReady;
    const postgres = await postgresFixture(pglite);
    closePostgres = postgres.close;
    const stores: [string, Store][] = [
      ['MemoryStore', new MemoryStore()],
      ['RedisStore', new RedisStore({ connection: redis, prefix: uniquePrefix('jobs-fuzz') })],
      ['PostgresStore on PGlite', postgres.store],
    ];
    for (const [name, store] of stores) {
      await seed(store);
      handlers.push([name, createProgressHandler({ store, authorize: () => true })]);
    }
  }, 120_000);
  afterAll(async () => {
    await closePostgres();
    await pglite.close();
  });

  it('answers 200 with a page or 400 with a JSON error, never 500, on every store', async () => {
    const errors: Error[] = [];
    let pages = 0;
    await fc.assert(
      fc.asyncProperty(params, async (query) => {
        const search = new URLSearchParams({ scope: 'fuzz:1', ...(query as Record<string, string>) });
        const other = search.get('scope') !== 'fuzz:1';
        const answers = await Promise.all(
          handlers.map(async ([name, handler]) => {
            const response = await handler(new Request(`http://localhost/jobs?${search}`));
            return { name, status: response.status, body: (await response.json()) as JobsPageDTO & ErrorDTO };
          }),
        );
        for (const { name, status, body } of answers) {
          if (status === 500) errors.push(new Error(`${name}: ${JSON.stringify(body)} for ${search}`));
          expect([200, 400]).toContain(status);
          if (status === 400) expect(body.error.message).toMatch(/^Expected `[^`]+` to be /);
          else expect(body.total).toBe(other ? 0 : 30);
        }
        // Every store judges a query alike, and answers a valid one with the same page.
        expect(new Set(answers.map((answer) => answer.status)).size).toBe(1);
        if (answers[0]?.status === 200) {
          pages += 1;
          const ids = answers.map((answer) => answer.body.items.map((job) => job.id));
          expect(ids[1]).toEqual(ids[0]);
          expect(ids[2]).toEqual(ids[0]);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(errors).toEqual([]);
    // The property means little unless many queries were valid.
    expect(pages).toBeGreaterThan(FUZZ_RUNS / 10);
  });
});
