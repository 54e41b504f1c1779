import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeJobsContract } from './describe-jobs-contract.js';
import {
  MalformedRecordError,
  Progresser,
  type ProgressRecord,
  ProgressrusArgumentError,
  type ScopeEntry,
  type Store,
} from '../../src/index.js';

/** What each store's test file hands the contract: a fresh, empty store and a back door. */
export interface StoreUnderTest {
  readonly store: Store;
  /**
   * Writes, bypassing the store, a record the store must report as malformed because its
   * `count` is negative (how depends on the store: a raw JSON value, a row).
   */
  writeMalformed(scope: readonly string[], id: string): Promise<void>;
  /**
   * Writes a record's JSON as the Ruby gem does (HSET into the scope's hash, outside every
   * index). Absent for stores the gem cannot write.
   */
  writeRuby?(scope: readonly string[], id: string, json: string): Promise<void>;
  /** Releases what the store holds (connections, tables). */
  close?(): Promise<void>;
}

export interface StoreFixtureOptions {
  /** The clock the store must read, in ms since the epoch. */
  readonly now: () => number;
  readonly onMalformed: (error: Error) => void;
}

/** Makes a store that shares nothing with any other call's (its own prefix, table…). */
export type MakeStore = (options: StoreFixtureOptions) => Promise<StoreUnderTest>;

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const SECOND = 1000;

/** A complete record with every field set, times relative to T0. */
function record(overrides: Partial<ProgressRecord> = {}): ProgressRecord {
  return {
    id: 'job-1',
    name: 'Import ünïcode "rows"',
    scope: ['user', '3421'],
    startedAt: new Date(T0),
    completedAt: null,
    failedAt: null,
    expiresAt: new Date(T0 + 3600 * SECOND),
    count: 40,
    total: 100,
    params: {
      file: 'a.csv',
      options: { dryRun: true, tags: ['x', 'y'], depth: { n: 1.5, none: null } },
    },
    errorCount: 2,
    updatedAt: new Date(T0 + 10 * SECOND + 123),
    ratePerSecond: 3.75,
    intervalMs: 2000,
    state: 'retrying',
    errorMessage: 'connection reset',
    queue: 'imports',
    jobId: '77',
    attempt: 2,
    actions: [{ action: 'cancel', at: new Date(T0 + 50 * SECOND) }],
    // The start and the latest point are exact on the wire; a point between is rounded.
    history: [
      { at: new Date(T0), count: 0, retry: false },
      { at: new Date(T0 + 10 * SECOND + 123), count: 40, retry: true },
    ],
    ...overrides,
  };
}

/** The fields a Tick reads back from a record (`state` comes back as `status`). */
function fields(source: ProgressRecord): Record<string, unknown> {
  const { state: _state, scope, ...rest } = source;
  return { ...rest, scope: [...scope] };
}

/**
 * One suite for every Store: the same tests run against MemoryStore, RedisStore and
 * PostgresStore (server and PGlite), so they behave alike to writers and readers.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} (store contract)`, () => {
    let clockMs: number;
    let malformed: Error[];
    let fixture: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      clockMs = T0 + 20 * SECOND;
      malformed = [];
      fixture = await makeStore({
        now: () => clockMs,
        onMalformed: (error) => malformed.push(error),
      });
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const keys = (items: readonly ScopeEntry[]) => items.map((item) => item.key);

    describe('persist, find and scope', () => {
      it('round-trips every field of a record when all are set', async () => {
        const written = record();
        await store.persist(written);
        const found = await store.find(['user', 3421], 'job-1');
        expect(found).not.toBeNull();
        expect(found).toMatchObject(fields(written));
        expect(found?.startedAt).toBeInstanceOf(Date);
        expect(found?.status).toBe('retrying');
      });

      it('round-trips nulls, an unknown total and empty params when they are unset', async () => {
        const written = record({
          total: null,
          params: {},
          startedAt: null,
          expiresAt: null,
          updatedAt: null,
          ratePerSecond: null,
          intervalMs: null,
          state: null,
          errorMessage: null,
          queue: null,
          jobId: null,
          actions: [],
          history: [],
          attempt: null,
          count: 0,
          errorCount: 0,
        });
        await store.persist(written);
        const [found] = await store.scope(['user', 3421]);
        expect(found).toMatchObject(fields(written));
        expect(found?.percentage()).toBeNull();
        expect(found?.status).toBe('started');
      });

      it('round-trips completed and failed times and reads the matching status', async () => {
        await store.persist(
          record({ id: 'done', state: null, completedAt: new Date(T0 + 15 * SECOND) }),
        );
        await store.persist(
          record({ id: 'broken', state: null, failedAt: new Date(T0 + 16 * SECOND) }),
        );
        expect((await store.find(['user', 3421], 'done'))?.completedAt).toEqual(
          new Date(T0 + 15 * SECOND),
        );
        expect((await store.find(['user', 3421], 'done'))?.status).toBe('completed');
        expect((await store.find(['user', 3421], 'broken'))?.failedAt).toEqual(
          new Date(T0 + 16 * SECOND),
        );
        expect((await store.find(['user', 3421], 'broken'))?.status).toBe('failed');
      });

      it('keeps one record with the latest values when the same record is written again', async () => {
        await store.persist(record({ count: 10 }));
        await store.persist(record({ count: 10 }));
        await store.persist(record({ count: 55, total: 200 }));
        const ticks = await store.scope(['user', 3421]);
        expect(ticks).toHaveLength(1);
        expect(ticks[0]).toMatchObject({ count: 55, total: 200 });
      });

      it('returns only the records of the scope asked for, not of scopes sharing its prefix', async () => {
        await store.persist(record({ id: 'a' }));
        await store.persist(record({ id: 'b' }));
        await store.persist(record({ id: 'c', scope: ['user', '34210'] }));
        await store.persist(record({ id: 'd', scope: ['user', '3421', 'exports'] }));
        const ids = (await store.scope(['user', 3421])).map((tick) => tick.id).sort();
        expect(ids).toEqual(['a', 'b']);
        expect((await store.scope(['user', 3421, 'exports'])).map((tick) => tick.id)).toEqual([
          'd',
        ]);
      });

      it('returns an empty list and null when nothing was written', async () => {
        expect(await store.scope(['nobody', 1])).toEqual([]);
        expect(await store.find(['nobody', 1], 'job-1')).toBeNull();
        await store.persist(record());
        expect(await store.find(['user', 3421], 'other')).toBeNull();
      });

      it('keeps every record when many are written in the same turn', async () => {
        await Promise.all(
          Array.from({ length: 60 }, (_, index) =>
            store.persist(
              record({ id: `job-${index}`, scope: ['team', String(index % 3)], count: index }),
            ),
          ),
        );
        const team0 = await store.scope(['team', 0]);
        expect(team0).toHaveLength(20);
        expect(team0.map((tick) => tick.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 20 }, (_, index) => index * 3),
        );
      });

      it('writes the last of several writes of one record made in the same turn', async () => {
        await Promise.all([1, 2, 3].map((count) => store.persist(record({ count }))));
        expect((await store.find(['user', 3421], 'job-1'))?.count).toBe(3);
      });
    });

    describe('persistNew', () => {
      // Queued records as ProgressQueue writes them: no start, count 0, a waiting state.
      const waiting = (id: string, overrides: Partial<ProgressRecord> = {}) =>
        record({ id, startedAt: null, count: 0, state: 'queued', actions: [], history: [], ...overrides });

      it('writes the records whose ids are new and leaves a record already there as it is', async () => {
        if (typeof store.persistNew !== 'function') return;
        await store.persist(record({ id: 'running', count: 7 }));
        await store.persistNew([
          waiting('running'),
          waiting('a'),
          waiting('b', { name: 'Export', total: null }),
          waiting('c', { state: 'delayed' }),
          waiting('d', { scope: ['team', '9'] }),
          waiting('ü\tid\nwith ✓ lines'),
        ]);
        expect((await store.find(['user', 3421], 'ü\tid\nwith ✓ lines'))?.status).toBe('queued');
        expect(await store.find(['user', 3421], 'running')).toMatchObject({ status: 'retrying', count: 7 });
        expect(await store.find(['user', 3421], 'a')).toMatchObject({ ...fields(waiting('a')), status: 'queued' });
        expect(await store.find(['user', 3421], 'b')).toMatchObject({ name: 'Export', total: null, status: 'queued' });
        expect((await store.find(['team', 9], 'd'))?.status).toBe('queued');
        const page = await store.jobs(['user', 3421], { sort: 'name', order: 'asc' });
        expect(page.counts).toMatchObject({ retrying: 1, queued: 3, delayed: 1 });
        expect(page.items.map((tick) => tick.id)).toEqual(['b', 'a', 'c', 'running', 'ü\tid\nwith ✓ lines']);
      });

      it('writes each record once when the same ids come again, the counts unchanged', async () => {
        if (typeof store.persistNew !== 'function') return;
        const batch = Array.from({ length: 30 }, (_, index) => waiting(`job-${index}`));
        await store.persistNew(batch);
        await store.persistNew(batch.map((queued) => ({ ...queued, total: 5 })));
        const page = await store.jobs(['user', 3421], { limit: 50 });
        expect(page.counts).toMatchObject({ queued: 30 });
        expect(page.items.every((tick) => tick.total === 100)).toBe(true);
      });
    });

    describe('expiry', () => {
      it('never returns a record once the clock passes its expires_at', async () => {
        await store.persist(record({ id: 'short', expiresAt: new Date(T0 + 30 * SECOND) }));
        await store.persist(record({ id: 'long', expiresAt: new Date(T0 + 90 * SECOND) }));
        await store.persist(record({ id: 'forever', expiresAt: null }));
        expect((await store.scope(['user', 3421])).map((tick) => tick.id).sort()).toEqual([
          'forever',
          'long',
          'short',
        ]);

        clockMs = T0 + 30 * SECOND;
        expect((await store.scope(['user', 3421])).map((tick) => tick.id).sort()).toEqual([
          'forever',
          'long',
        ]);
        expect(await store.find(['user', 3421], 'short')).toBeNull();
        expect(await store.find(['user', 3421], 'long')).not.toBeNull();

        clockMs = T0 + 10_000 * SECOND;
        expect((await store.scope(['user', 3421])).map((tick) => tick.id)).toEqual(['forever']);
        expect(await store.find(['user', 3421], 'long')).toBeNull();
      });

      it('does not return a record written already expired', async () => {
        await store.persist(record({ expiresAt: new Date(T0) }));
        expect(await store.scope(['user', 3421])).toEqual([]);
        expect(await store.find(['user', 3421], 'job-1')).toBeNull();
      });
    });

    describe('malformed records', () => {
      it('reports a malformed record and still returns the others of its scope', async () => {
        await store.persist(record({ id: 'good' }));
        await fixture.writeMalformed(['user', '3421'], 'bad');
        const ticks = await store.scope(['user', 3421]);
        expect(ticks.map((tick) => tick.id)).toEqual(['good']);
        expect(malformed).toHaveLength(1);
        expect(malformed[0]).toBeInstanceOf(MalformedRecordError);
        expect(malformed[0]).toMatchObject({ scopeKey: 'user:3421', id: 'bad' });
        expect(malformed[0]?.message).toContain('count');
      });

      it('reports a malformed record and finds null when it is asked for by id', async () => {
        await fixture.writeMalformed(['user', '3421'], 'bad');
        expect(await store.find(['user', 3421], 'bad')).toBeNull();
        expect(malformed).toHaveLength(1);
        expect(malformed[0]).toMatchObject({ id: 'bad' });
      });
    });

    describe('delete', () => {
      it('deletes one record and keeps the others and the scope listed', async () => {
        await store.persist(record({ id: 'a' }));
        await store.persist(record({ id: 'b' }));
        await store.delete(['user', 3421], 'a');
        expect((await store.scope(['user', 3421])).map((tick) => tick.id)).toEqual(['b']);
        expect(keys((await store.scopes()).items)).toEqual(['user:3421']);
      });

      it('drops the scope from the listing when its last record is deleted', async () => {
        await store.persist(record({ id: 'a' }));
        await store.persist(record({ id: 'z', scope: ['user', '1'] }));
        await store.delete(['user', 3421], 'a');
        expect(keys((await store.scopes()).items)).toEqual(['user:1']);
      });

      it('deletes a whole scope and only that scope when no id is given', async () => {
        await store.persist(record({ id: 'a' }));
        await store.persist(record({ id: 'b' }));
        await store.persist(record({ id: 'c', scope: ['user', '34210'] }));
        await store.delete(['user', 3421]);
        expect(await store.scope(['user', 3421])).toEqual([]);
        expect((await store.scope(['user', 34210])).map((tick) => tick.id)).toEqual(['c']);
        expect(keys((await store.scopes()).items)).toEqual(['user:34210']);
      });

      it('does nothing when the record or scope does not exist', async () => {
        await store.delete(['nobody', 1], 'x');
        await store.delete(['nobody', 1]);
        expect((await store.scopes()).items).toEqual([]);
      });
    });

    describe('scopes', () => {
      /** Writes one record in each scope; `activity[i]` seconds after T0 is its last activity. */
      async function seed(
        entries: ReadonlyArray<[scope: string[], activityS: number]>,
      ): Promise<void> {
        for (const [scope, activityS] of entries) {
          await store.persist(
            record({
              id: `in-${scope.join('-')}`,
              scope,
              startedAt: new Date(T0),
              updatedAt: new Date(T0 + activityS * SECOND),
            }),
          );
        }
      }

      it('lists scopes newest activity first, with the time of the latest write', async () => {
        await seed([
          [['user', '1'], 5],
          [['user', '2'], 9],
          [['org', 'acme'], 7],
        ]);
        const page = await store.scopes();
        expect(keys(page.items)).toEqual(['user:2', 'org:acme', 'user:1']);
        expect(page.items[0]).toMatchObject({
          scope: ['user', '2'],
          key: 'user:2',
          lastActivityAt: new Date(T0 + 9 * SECOND),
          total: 1,
        });
        expect(page.nextCursor).toBeNull();
      });

      it('moves a scope forward when it is written again, and never back for an older write', async () => {
        await seed([
          [['user', '1'], 5],
          [['user', '2'], 9],
        ]);
        await store.persist(
          record({ id: 'later', scope: ['user', '1'], updatedAt: new Date(T0 + 12 * SECOND) }),
        );
        expect(keys((await store.scopes()).items)).toEqual(['user:1', 'user:2']);
        await store.persist(
          record({ id: 'older', scope: ['user', '1'], updatedAt: new Date(T0 + 1 * SECOND) }),
        );
        expect((await store.scopes()).items[0]?.lastActivityAt).toEqual(new Date(T0 + 12 * SECOND));
      });

      it('filters by key prefix', async () => {
        await seed([
          [['user', '1'], 1],
          [['user', '2'], 2],
          [['users', '3'], 3],
          [['org', 'user'], 4],
        ]);
        expect(keys((await store.scopes({ prefix: 'user:' })).items)).toEqual(['user:2', 'user:1']);
        expect(keys((await store.scopes({ prefix: 'user' })).items)).toEqual([
          'users:3',
          'user:2',
          'user:1',
        ]);
        expect(keys((await store.scopes({ prefix: 'user:1' })).items)).toEqual(['user:1']);
        expect((await store.scopes({ prefix: 'nobody' })).items).toEqual([]);
      });

      it('matches %, _ and \\ in a prefix literally', async () => {
        await seed([
          [['a_b', '1'], 1],
          [['axb', '1'], 2],
          [['100%', 'x'], 3],
          [['1000', 'x'], 4],
          [['back\\slash', '1'], 5],
        ]);
        expect(keys((await store.scopes({ prefix: 'a_b' })).items)).toEqual(['a_b:1']);
        expect(keys((await store.scopes({ prefix: '100%' })).items)).toEqual(['100%:x']);
        expect((await store.scopes({ prefix: '%' })).items).toEqual([]);
        expect(keys((await store.scopes({ prefix: 'back\\' })).items)).toEqual(['back\\slash:1']);
      });

      it('pages with a cursor, newest first, ties broken by key, without repeats or gaps', async () => {
        // 25 scopes over 9 distinct times, so pages cut through ties.
        const entries = Array.from({ length: 25 }, (_, index): [string[], number] => [
          ['p', String(index).padStart(2, '0')],
          index % 9,
        ]);
        await seed(entries);
        await seed([[['other', '1'], 100]]);
        const expectedOrder = entries
          .map(([scope, activityS]) => ({ key: scope.join(':'), activityS }))
          .sort((a, b) => b.activityS - a.activityS || (a.key < b.key ? 1 : -1))
          .map((entry) => entry.key);

        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store['scopes']>> = await store.scopes({
            prefix: 'p:',
            limit: 10,
            cursor,
          });
          seen.push(...keys(page.items));
          sizes.push(page.items.length);
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(sizes).toEqual([10, 10, 5]);
        expect(seen).toEqual(expectedOrder);
      });

      it('ends with a null cursor when the last page is exactly full', async () => {
        await seed([
          [['user', '1'], 1],
          [['user', '2'], 2],
        ]);
        const first = await store.scopes({ limit: 1 });
        expect(keys(first.items)).toEqual(['user:2']);
        const second = await store.scopes({ limit: 1, cursor: first.nextCursor });
        expect(keys(second.items)).toEqual(['user:1']);
        expect(second.nextCursor).toBeNull();
      });

      it('rejects a limit outside 1–1000 or not an integer', async () => {
        for (const limit of [0, 1001, 1.5, Number.NaN]) {
          await expect(store.scopes({ limit })).rejects.toThrow(ProgressrusArgumentError);
        }
        await expect(store.scopes({ limit: 0 })).rejects.toThrow(
          'Expected `limit` to be an integer from 1 to 1000, got `0`',
        );
        await expect(store.scopes({ limit: 1000 })).resolves.toMatchObject({ items: [] });
      });

      it('rejects a malformed cursor with a ProgressrusArgumentError', async () => {
        for (const cursor of [
          'garbage',
          'bm90IGpzb24',
          Buffer.from('[1]').toString('base64url'),
          Buffer.from('{"a":1}').toString('base64url'),
        ]) {
          await expect(store.scopes({ cursor })).rejects.toThrow(ProgressrusArgumentError);
        }
      });
    });

    describe('typical durations', () => {
      function completed(id: string, seconds: number, overrides: Partial<ProgressRecord> = {}): ProgressRecord {
        return record({
          id,
          name: 'nightly import',
          queue: 'imports',
          state: null,
          startedAt: new Date(T0),
          completedAt: new Date(T0 + seconds * SECOND),
          updatedAt: new Date(T0 + seconds * SECOND),
          total: seconds * 10,
          count: seconds * 10,
          expiresAt: new Date(T0 + 3600 * SECOND),
          ...overrides,
        });
      }

      it('sums up the completed jobs of a name and queue, added by the writes of their records', async () => {
        await store.persist(completed('a', 60));
        await store.persist(completed('b', 120));
        await store.persist(completed('c', 180));
        // Written again (a retried write): counted once.
        await store.persist(completed('c', 180));
        // Unfinished, failed, or of another queue: not counted here.
        await store.persist(record({ id: 'd', name: 'nightly import', queue: 'imports', state: null }));
        await store.persist(completed('e', 10, { failedAt: new Date(T0 + 10 * SECOND) }));
        await store.persist(completed('f', 999, { queue: 'other' }));
        expect(await store.typicalDuration('nightly import', 'imports')).toEqual({
          name: 'nightly import',
          queue: 'imports',
          samples: 3,
          medianMs: 120_000,
          lowMs: 90_000,
          highMs: 150_000,
          ratePerSecond: 10,
        });
        expect((await store.typicalDuration('nightly import', 'other'))?.samples).toBe(1);
        expect(await store.typicalDuration('nightly import')).toBeNull();
        expect(await store.typicalDuration('never ran', 'imports')).toBeNull();
      });

      it('keeps only the newest completions of a name', async () => {
        for (let i = 1; i <= 40; i++) await store.persist(completed(`job-${i}`, i));
        const typical = await store.typicalDuration('nightly import', 'imports');
        expect(typical?.samples).toBe(32);
        // Jobs 9 to 40: the median of 9..40 s.
        expect(typical?.medianMs).toBe(24_500);
      });
    });

    describe('through a Progresser', () => {
      it('shows a job running, then completed, as a Progresser writes it', async () => {
        const progress = new Progresser({
          scope: ['user', 3421],
          id: 'export',
          name: 'Export',
          total: 10,
          params: { format: 'csv' },
          store,
          now: () => clockMs,
          intervalMs: 1000,
        });
        progress.tick(3);
        await progress.flush();
        expect(await store.find(['user', 3421], 'export')).toMatchObject({
          status: 'running',
          count: 3,
          total: 10,
        });

        clockMs += 5 * SECOND;
        progress.tick(7);
        await progress.complete();
        const done = await store.find(['user', 3421], 'export');
        expect(done).toMatchObject({
          status: 'completed',
          count: 10,
          name: 'Export',
          params: { format: 'csv' },
        });
        expect(done?.percentage()).toBe(100);
        expect(done?.completedAt).toEqual(new Date(clockMs));
        const page = await store.scopes({ prefix: 'user:' });
        expect(page.items).toEqual([
          expect.objectContaining({
            scope: ['user', '3421'],
            key: 'user:3421',
            lastActivityAt: new Date(clockMs),
            total: 1,
          }),
        ]);
      });

      it('writes the failure message when the job fails', async () => {
        const progress = new Progresser({
          scope: ['user', 3421],
          id: 'doomed',
          store,
          now: () => clockMs,
        });
        progress.tick();
        await progress.fail(new Error('disk full'));
        expect(await store.find(['user', 3421], 'doomed')).toMatchObject({
          status: 'failed',
          errorMessage: 'disk full',
          total: null,
        });
      });
    });

    describeJobsContract(makeStore);
  });
}
