import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  MalformedRecordError,
  RedisStore,
  STATUSES,
  type Tick,
  toJobDTO,
} from '../../src/index.js';
import { readRecord } from '../../src/stores/read-records.js';
import { connectRedis, uniquePrefix } from '../helpers.js';

const redis = connectRedis();
const READ_AT = new Date('2026-11-27T21:00:00Z');
/** Runs per property; raise it for a longer hunt: `FUZZ_RUNS=100000 npx vitest run test/reliability`. */
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
// Thousands of runs share two cores with the rest of the suite: time is not what these test.
vi.setConfig({ testTimeout: 120_000 });

const time = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    '2013-12-08 10:53:41 -0500',
    '2026-11-27T15:15:40.486-05:00',
    '2026-13-45T99:99Z',
    '0000-01-01T00:00Z',
  ),
  fc.string(),
);
const number = fc.oneof(
  fc.nat(),
  fc.double({ min: 0, noNaN: true }),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1, 1e-300, Number.MAX_VALUE),
  fc.double(),
);
/** Mostly a value that fits the field, sometimes any JSON: so that one or two wrong fields meet. */
const fieldValue = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 9, arbitrary: plausible }, fc.jsonValue());

/** Records that are mostly right, with any field wrong, missing or of another type: where decoders break. */
const nearRecord = fc
  .record(
    {
      name: fieldValue(fc.string()),
      id: fieldValue(fc.string()),
      scope: fieldValue(fc.array(fc.oneof(fc.string(), fc.integer()))),
      started_at: fieldValue(time),
      completed_at: fieldValue(fc.option(time)),
      failed_at: fieldValue(fc.option(time)),
      expires_at: fieldValue(fc.option(time)),
      count: fieldValue(number),
      total: fieldValue(fc.option(number)),
      params: fc.jsonValue(),
      error_count: fieldValue(number),
      updated_at: fieldValue(time),
      rate: fieldValue(fc.option(number)),
      interval_ms: fieldValue(fc.option(number)),
      state: fieldValue(
        fc.option(fc.constantFrom('retrying', 'delayed', 'waiting-children', 'running')),
      ),
      error_message: fieldValue(fc.option(fc.string())),
      queue: fieldValue(fc.option(fc.string())),
      job_id: fieldValue(fc.option(fc.string())),
      attempt: fieldValue(fc.option(number)),
    },
    { requiredKeys: [] },
  )
  .map((record) => JSON.stringify(record));

/** Any stored value: well-formed-ish records, any JSON, any text. */
const storedValue = fc.oneof(
  { weight: 4, arbitrary: nearRecord },
  fc.json(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-composite' }),
);

/** What every reader does with a tick: all of it must work for any tick the store hands out. */
function useTick(tick: Tick): void {
  expect(STATUSES).toContain(tick.status);
  const percentage = tick.percentage();
  expect(percentage === null || Number.isFinite(percentage)).toBe(true);
  const eta = tick.eta();
  expect(eta === null || !Number.isNaN(eta.getTime())).toBe(true);
  expect(Number.isFinite(tick.elapsed())).toBe(true);
  JSON.stringify(toJobDTO(tick));
}

describe('the record decoder', () => {
  it('returns a usable tick or reports a MalformedRecordError for any stored value, never throws', () => {
    fc.assert(
      fc.property(storedValue, (raw) => {
        const reported: Error[] = [];
        const tick = readRecord('user:1', 'field', raw, READ_AT, (error) => reported.push(error));
        if (tick) {
          useTick(tick);
          expect(reported).toEqual([]);
        } else {
          // Null without a report only for a record past its expiry.
          for (const error of reported) expect(error).toBeInstanceOf(MalformedRecordError);
          expect(reported.length <= 1).toBe(true);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('RedisStore reading arbitrary bytes', () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((array) => Buffer.from(array)),
    storedValue.map((text) => Buffer.from(text)),
  );

  it('never fails scope() or find(), skips and reports each bad record, and still returns the good one', async () => {
    const prefix = uniquePrefix('fuzz-bytes');
    const good = JSON.stringify({
      name: 'good',
      id: 'good',
      scope: ['user', '1'],
      count: 3,
      total: 10,
      started_at: '2026-11-27T20:59:00Z',
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), bytes), {
          selector: ([field]) => field,
          maxLength: 15,
        }),
        async (values) => {
          run += 1;
          const key = `${prefix}:user:${run}`;
          const reported: Error[] = [];
          const reading = new RedisStore({
            connection: redis,
            prefix,
            now: () => READ_AT.getTime(),
            onMalformed: (error) => reported.push(error),
          });
          await redis.hset(key, 'good', good);
          for (const [field, value] of values)
            if (field !== 'good') await redis.hset(key, field, value);
          const fields = await redis.hlen(key);

          const ticks = await reading.scope(['user', run]);
          expect(ticks.find((tick) => tick.name === 'good')).toMatchObject({
            count: 3,
            total: 10,
            status: 'running',
          });
          for (const tick of ticks) useTick(tick);
          for (const error of reported) expect(error).toBeInstanceOf(MalformedRecordError);
          expect(ticks.length + reported.length).toBeLessThanOrEqual(fields);

          let found = 0;
          for (const field of await redis.hkeys(key)) {
            const tick = await reading.find(['user', run], field);
            if (tick) {
              useTick(tick);
              found += 1;
            }
          }
          expect(found).toBe(ticks.length);
          await redis.del(key);
        },
      ),
      { numRuns: Math.ceil(FUZZ_RUNS / 20) },
    );
  });
});

describe('RedisStore sweeping an expiry index with arbitrary members', () => {
  it('drops the members that name no due scope, never throws, and still removes the due records', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.string(), fc.json()), { maxLength: 20 }),
        async (members) => {
          run += 1;
          const prefix = uniquePrefix(`fuzz-sweep-${run}`);
          const store = new RedisStore({
            connection: redis,
            prefix,
            now: () => READ_AT.getTime(),
            onMalformed: () => {},
            // No sweep after the write: the one below is the one measured.
            sweepIntervalMs: Number.MAX_SAFE_INTEGER,
          });
          // A record written through the store, expired at READ_AT, among members nobody wrote
          // (the index holds scope keys: these may name no scope, or not be one at all).
          await store.persist({
            id: 'due',
            name: 'due',
            scope: ['user', '1'],
            startedAt: null,
            completedAt: new Date('2026-11-27T19:00:00Z'),
            failedAt: null,
            expiresAt: new Date('2026-11-27T20:00:00Z'),
            count: 1,
            total: null,
            params: {},
            errorCount: 0,
            updatedAt: new Date('2026-11-27T19:00:00Z'),
            ratePerSecond: null,
            intervalMs: null,
            state: null,
            errorMessage: null,
            queue: null,
            jobId: null,
            attempt: null,
            actions: [],
            history: [],
          });
          const garbage = members.filter((member) => member !== 'user:1');
          if (garbage.length > 0) await redis.zadd(store.keys.expiries, ...garbage.flatMap((member) => [0, member]));
          expect(await store.sweep()).toBe(1);
          expect(await redis.zcard(store.keys.expiries)).toBe(0);
          expect(await redis.exists(`${prefix}:user:1`)).toBe(0);
        },
      ),
      { numRuns: Math.ceil(FUZZ_RUNS / 20) },
    );
  });
});
