import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  MemoryStore,
  Progresser,
  type ProgresserOptions,
  ProgressrusArgumentError,
  RedisStore,
} from '../../src/index.js';
import { decodeCursor } from '../../src/stores/scope-page.js';
import { connectRedis, uniquePrefix } from '../helpers.js';

const redis = connectRedis();
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
// Thousands of runs share two cores with the rest of the suite: time is not what these test.
vi.setConfig({ testTimeout: 120_000 });
const MESSAGE = /^Expected `[^`]+` to be [\s\S]+, got `[\s\S]*`$/;

/** Mostly a valid value, sometimes anything at all. */
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, fc.anything());
const scopeArb = maybe(
  fc.array(fc.oneof(fc.string({ minLength: 1 }), fc.integer()), { minLength: 1, maxLength: 4 }),
);
const nonNegative = fc.oneof(fc.nat(), fc.constantFrom(0, 0.5, 1e300));

const optionsArb = fc.record(
  {
    scope: scopeArb,
    total: maybe(fc.option(fc.nat())),
    id: maybe(fc.string({ minLength: 1 })),
    name: maybe(fc.string()),
    params: maybe(fc.jsonValue()),
    intervalMs: maybe(nonNegative),
    retention: maybe(
      fc.record(
        {
          completedMs: fc.option(nonNegative),
          failedMs: fc.option(nonNegative),
          unfinishedMs: fc.option(nonNegative),
        },
        { requiredKeys: [] },
      ),
    ),
    finalWriteTimeoutMs: maybe(nonNegative),
    persist: maybe(fc.boolean()),
    queue: maybe(fc.option(fc.string({ minLength: 1 }))),
    jobId: maybe(fc.option(fc.string({ minLength: 1 }))),
    attempt: maybe(fc.option(fc.integer({ min: 1, max: 100 }))),
    onError: maybe(fc.constant((error: Error) => void error)),
    now: maybe(fc.constant(() => Date.parse('2026-11-27T21:00:00Z'))),
  },
  { requiredKeys: ['scope'] },
);

/** A call either succeeds or throws the library's argument error, with its one message format. */
function expectArgumentErrorOr<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (error) {
    expect(error).toBeInstanceOf(ProgressrusArgumentError);
    expect((error as Error).message).toMatch(MESSAGE);
    return undefined;
  }
}

async function expectRejectionOr<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    expect(error).toBeInstanceOf(ProgressrusArgumentError);
    expect((error as Error).message).toMatch(MESSAGE);
    return undefined;
  }
}

describe('the public API with arbitrary arguments', () => {
  it('new Progresser() throws the argument error at the call, or writes a record that reads back', async () => {
    await fc.assert(
      fc.asyncProperty(optionsArb, async (options) => {
        const reported: Error[] = [];
        // Read at the epoch, so a retention of 0 ms does not hide the record.
        const store = new MemoryStore({
          onMalformed: (error) => reported.push(error),
          now: () => 0,
        });
        const progress = expectArgumentErrorOr(
          () => new Progresser({ ...(options as ProgresserOptions), store }),
        );
        if (!progress) return;
        progress.tick(3);
        await progress.complete();
        expect(reported).toEqual([]);
        const tick = await store.find(progress.scope, progress.id);
        expect(tick).toMatchObject({
          id: progress.id,
          name: progress.name,
          count: 3,
          total: progress.total,
          status: 'completed',
        });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('tick(), error(), the total setter and setState() accept valid values and throw the argument error for the rest', () => {
    const store = new MemoryStore();
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const progress = new Progresser({ scope: ['fuzz', 1], store, intervalMs: 60_000 });
        // `undefined` is the default argument: one item.
        const n = value === undefined ? 1 : value;
        const valid = Number.isInteger(n) && (n as number) >= 0;
        expectArgumentErrorOr(() => progress.tick(value as number));
        expect(progress.count).toBe(valid ? (n as number) + 0 : 0);
        expectArgumentErrorOr(() => progress.error(value as number));
        expect(progress.errorCount).toBe(valid ? (n as number) + 0 : 0);
        expectArgumentErrorOr(() => {
          progress.total = value as number;
        });
        expect(progress.total).toBe(
          (valid && value !== undefined) || value === null ? value : null,
        );
        expectArgumentErrorOr(() => void progress.setState(value as null));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.each([
    ['RedisStore', () => new RedisStore({ connection: redis, prefix: uniquePrefix('fuzz-api') })],
    ['MemoryStore', () => new MemoryStore()],
  ])(
    '%s reads reject arbitrary scopes, ids and queries with the argument error, never another',
    async (_name, makeStore) => {
      const store = makeStore();
      await new Progresser({ scope: ['user', 1], id: 'kept', store }).complete();
      const query = maybe(
        fc.record(
          {
            prefix: maybe(fc.string()),
            cursor: maybe(fc.option(fc.string())),
            limit: maybe(fc.integer({ min: -5, max: 1005 })),
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          scopeArb,
          maybe(fc.string({ minLength: 1 })),
          query,
          async (scope, id, scopesQuery) => {
            const ticks = await expectRejectionOr(() => store.scope(scope as string[]));
            if (ticks) expect(Array.isArray(ticks)).toBe(true);
            await expectRejectionOr(() => store.find(scope as string[], id as string));
            const page = await expectRejectionOr(() => store.scopes(scopesQuery as object));
            if (page) expect(page.items.length).toBeLessThanOrEqual(1);
          },
        ),
        { numRuns: Math.ceil(FUZZ_RUNS / 10) },
      );
      expect(await store.find(['user', 1], 'kept')).not.toBeNull();
    },
  );

  it('decodeCursor() returns a cursor or throws the argument error for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.anything()), (cursor) => {
        const decoded = expectArgumentErrorOr(() => decodeCursor(cursor));
        if (decoded)
          expect(Number.isFinite(decoded.activityMs) && typeof decoded.key === 'string').toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('new RedisStore() throws the argument error for bad options, never another', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            connection: fc.oneof(fc.constant(redis), fc.anything()),
            prefix: maybe(fc.string({ minLength: 1 })),
            format: maybe(fc.constantFrom('default', 'ruby')),
            publish: maybe(fc.boolean()),
            sweepIntervalMs: maybe(nonNegative),
          },
          { requiredKeys: [] },
        ),
        (options) => {
          const store = expectArgumentErrorOr(() => new RedisStore(options as never));
          if (store) expect(store.keys.scope('a')).toBe(`${options.prefix ?? 'progressrus'}:a`);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
