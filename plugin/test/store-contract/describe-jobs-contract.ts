import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countByStatus,
  type JobSort,
  type JobsPage,
  type JobsQuery,
  Progresser,
  type ProgressRecord,
  ProgressrusArgumentError,
  STATUSES,
  type Status,
  type Store,
} from '../../src/index.js';
import type { MakeStore, StoreUnderTest } from './describe-store-contract.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const SECOND = 1000;
const SCOPE = ['user', '3421'] as const;

/** A running record; `at` is its last write, in seconds after T0. */
function record(id: string, at: number, overrides: Partial<ProgressRecord> = {}): ProgressRecord {
  return {
    id,
    name: id,
    scope: [...SCOPE],
    startedAt: new Date(T0),
    completedAt: null,
    failedAt: null,
    expiresAt: null,
    count: 1,
    total: 10,
    params: {},
    errorCount: 0,
    updatedAt: new Date(T0 + at * SECOND),
    ratePerSecond: null,
    intervalMs: null,
    state: null,
    errorMessage: null,
    queue: null,
    jobId: null,
    attempt: null,
    actions: [],
    ...overrides,
  };
}

/** Counts with every status, zero unless given. */
function counts(given: Partial<Record<Status, number>>): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((status) => [status, given[status] ?? 0])) as Record<Status, number>;
}

const ids = (page: JobsPage) => page.items.map((tick) => tick.id);

/**
 * The paged job query (`Store.jobs()` and the counts of `Store.scopes()`), run against every
 * store by `describeStoreContract`.
 */
export function describeJobsContract(makeStore: MakeStore): void {
  describe('jobs', () => {
    let clockMs: number;
    let fixture: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      clockMs = T0 + 20 * SECOND;
      fixture = await makeStore({ now: () => clockMs, onMalformed: () => {} });
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    /** Every page of a query, followed by cursor. */
    async function allPages(query: JobsQuery): Promise<string[][]> {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: JobsPage = await store.jobs(SCOPE, { ...query, cursor });
        pages.push(ids(page));
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 100);
      return pages;
    }

    it('returns the most recently updated jobs first, with the counts of the whole scope', async () => {
      await store.persist(record('a', 1));
      await store.persist(record('b', 3, { completedAt: new Date(T0 + 3 * SECOND) }));
      await store.persist(record('c', 2, { failedAt: new Date(T0 + 2 * SECOND) }));
      await store.persist(record('d', 5, { state: 'retrying' }));
      await store.persist(record('e', 4, { startedAt: null, count: 0 }));
      await store.persist(record('other', 9, { scope: ['user', '34210'] }));
      const page = await store.jobs(SCOPE);
      expect(ids(page)).toEqual(['d', 'e', 'b', 'c', 'a']);
      expect(page.nextCursor).toBeNull();
      expect(page.counts).toEqual(counts({ running: 1, completed: 1, failed: 1, retrying: 1, started: 1 }));
      expect(page.total).toBe(5);
      expect(page.items[0]?.status).toBe('retrying');
    });

    it('returns an empty page and zero counts for a scope without records', async () => {
      await expect(store.jobs(['nobody', 1])).resolves.toEqual({
        items: [],
        nextCursor: null,
        counts: counts({}),
        total: 0,
      });
    });

    it('filters by one or several statuses, counting stalled jobs by the clock', async () => {
      // Written every 2 s: silent for more than 6 s reads stalled.
      await store.persist(record('quiet', 10, { intervalMs: 2000 }));
      await store.persist(record('busy', 19, { intervalMs: 2000 }));
      await store.persist(record('waiting', 12, { startedAt: null, count: 0, intervalMs: 2000 }));
      await store.persist(record('done', 11, { completedAt: new Date(T0 + 11 * SECOND), intervalMs: 2000 }));
      const stalled = await store.jobs(SCOPE, { statuses: ['stalled'] });
      expect(ids(stalled)).toEqual(['waiting', 'quiet']);
      expect(stalled.items.map((tick) => tick.status)).toEqual(['stalled', 'stalled']);
      expect(stalled.counts).toEqual(counts({ stalled: 2, running: 1, completed: 1 }));
      expect(ids(await store.jobs(SCOPE, { statuses: ['running'] }))).toEqual(['busy']);
      expect(ids(await store.jobs(SCOPE, { statuses: ['running', 'completed'] }))).toEqual(['busy', 'done']);
      expect(ids(await store.jobs(SCOPE, { statuses: ['failed'] }))).toEqual([]);

      clockMs = T0 + 30 * SECOND;
      const later = await store.jobs(SCOPE, { statuses: ['stalled'] });
      expect(ids(later)).toEqual(['busy', 'waiting', 'quiet']);
      expect(later.counts).toEqual(counts({ stalled: 3, completed: 1 }));
    });

    describe('sorts', () => {
      // Keys chosen so each sort gives another order, with ties (broken by id) and missing values.
      beforeEach(async () => {
        const at = (s: number) => new Date(T0 + s * SECOND);
        await store.persist(record('j1', 5, { name: 'import 10', startedAt: at(1), count: 5, total: 10 }));
        await store.persist(record('j2', 7, { name: 'Import 9', startedAt: null, count: 1, total: null }));
        await store.persist(record('j3', 5, { name: 'export', startedAt: at(3), count: 10, total: 10 }));
        await store.persist(record('j4', 2, { name: 'zeta', startedAt: at(1), count: 0, total: 0 }));
        await store.persist(record('j5', 9, { name: 'ärger', startedAt: at(4), count: 1, total: 4 }));
        await store.persist(record('j0', 3, { name: 'import 9', startedAt: null, count: 3, total: 20 }));
      });

      // Ascending; descending is the exact reverse (ties by id reverse too).
      const ascending: Record<JobSort, string[]> = {
        // Last activity: j4 2, j0 3 (startedAt missing), j1 5 and j3 5 (tie), j2 7, j5 9.
        updatedAt: ['j4', 'j0', 'j1', 'j3', 'j2', 'j5'],
        // Missing first: j0, j2; then j1 1 and j4 1 (tie), j3 3, j5 4.
        startedAt: ['j0', 'j2', 'j1', 'j4', 'j3', 'j5'],
        // Case-insensitive, 9 before 10, ties by id, 'ä' (U+00E4) after 'z'.
        name: ['j3', 'j0', 'j2', 'j1', 'j4', 'j5'],
        // Unknown total first; 15 %, 25 %, 50 %, then 100 % for j3 and for total 0 (j4).
        percentage: ['j2', 'j0', 'j5', 'j1', 'j3', 'j4'],
      };

      for (const sort of Object.keys(ascending) as JobSort[]) {
        it(`orders by ${sort} in both orders, missing values lowest, ties by id`, async () => {
          expect(ids(await store.jobs(SCOPE, { sort, order: 'asc' }))).toEqual(ascending[sort]);
          expect(ids(await store.jobs(SCOPE, { sort, order: 'desc' }))).toEqual([...ascending[sort]].reverse());
        });

        it(`pages by ${sort} with a cursor through ties, in both orders, without gaps or repeats`, async () => {
          for (const order of ['asc', 'desc'] as const) {
            const pages = await allPages({ sort, order, limit: 2 });
            expect(pages).toHaveLength(3);
            expect(pages.flat()).toEqual(order === 'asc' ? ascending[sort] : [...ascending[sort]].reverse());
          }
        });
      }

      it('filters by a case-insensitive name prefix, digits unpadded', async () => {
        expect(ids(await store.jobs(SCOPE, { name: 'IMP', sort: 'name', order: 'asc' }))).toEqual(['j0', 'j2', 'j1']);
        expect(ids(await store.jobs(SCOPE, { name: 'import 1', sort: 'name' }))).toEqual(['j1']);
        expect(ids(await store.jobs(SCOPE, { name: 'Ä' }))).toEqual(['j5']);
        expect(ids(await store.jobs(SCOPE, { name: 'import 9', statuses: ['running'], sort: 'updatedAt' }))).toEqual([
          'j2',
          'j0',
        ]);
        expect(ids(await store.jobs(SCOPE, { name: '%' }))).toEqual([]);
        expect((await store.jobs(SCOPE, { name: 'nothing' })).counts).toEqual(counts({ running: 6 }));
        expect(ids(await store.jobs(SCOPE, { name: '' }))).toHaveLength(6);
      });

      it('rejects a cursor made for another sort or order', async () => {
        const { nextCursor } = await store.jobs(SCOPE, { sort: 'name', limit: 1 });
        await expect(store.jobs(SCOPE, { sort: 'updatedAt', cursor: nextCursor })).rejects.toThrow(
          ProgressrusArgumentError,
        );
        await expect(store.jobs(SCOPE, { sort: 'name', order: 'asc', cursor: nextCursor })).rejects.toThrow(
          'Expected `cursor` to be a cursor returned by a previous page sorted by name asc',
        );
      });
    });

    it('pages without gaps or repeats while jobs are written, moved and deleted', async () => {
      const name = (index: number) => `r${String(index).padStart(2, '0')}`;
      for (let index = 0; index < 30; index++) await store.persist(record(name(index), index));
      const seen: string[] = [];
      const changed = new Set<string>();
      let cursor: string | null = null;
      let round = 0;
      do {
        const page: JobsPage = await store.jobs(SCOPE, { limit: 4, cursor });
        seen.push(...ids(page));
        cursor = page.nextCursor;
        round += 1;
        // Between pages: a seen job moves to the top, an unseen one goes, a new one arrives.
        const moved = page.items[0]?.id;
        if (moved !== undefined) {
          await store.persist(record(moved, 100 + round));
          changed.add(moved);
        }
        await store.delete(SCOPE, name(round - 1));
        await store.persist(record(`new${round}`, 200 + round));
        changed.add(name(round - 1)).add(`new${round}`);
      } while (cursor !== null && round < 50);
      expect(new Set(seen).size).toBe(seen.length);
      const unchanged = Array.from({ length: 30 }, (_, index) => name(index)).filter((id) => !changed.has(id));
      expect(unchanged.length).toBeGreaterThan(10);
      expect(seen.filter((id) => !changed.has(id))).toEqual(unchanged.reverse());
      expect(seen.some((id) => id.startsWith('new'))).toBe(false);
    });

    it('leaves expired jobs out of pages and counts', async () => {
      await store.persist(record('short', 1, { expiresAt: new Date(T0 + 30 * SECOND) }));
      await store.persist(record('long', 2, { expiresAt: new Date(T0 + 90 * SECOND), completedAt: new Date(T0 + 2 * SECOND) }));
      expect((await store.jobs(SCOPE)).total).toBe(2);
      clockMs = T0 + 30 * SECOND;
      const page = await store.jobs(SCOPE);
      expect(ids(page)).toEqual(['long']);
      expect(page.counts).toEqual(counts({ completed: 1 }));
      expect((await store.scopes()).items[0]).toMatchObject({ key: 'user:3421', total: 1 });
    });

    it('keeps counts equal to a full recount as jobs move between statuses and are deleted', async () => {
      await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          store.persist(record(`w${index}`, index % 7, { intervalMs: index % 3 === 0 ? 2000 : null })),
        ),
      );
      for (let index = 1; index < 40; index += 4) {
        await store.persist(
          record(`w${index}`, 15, index % 2 === 0 ? { completedAt: new Date(T0 + 15 * SECOND) } : { state: 'delayed' }),
        );
      }
      for (let index = 2; index < 40; index += 5) await store.delete(SCOPE, `w${index}`);
      const page = await store.jobs(SCOPE, { limit: 1000 });
      expect(page.counts).toEqual(countByStatus(await store.scope(SCOPE)));
      expect(page.total).toBe(page.items.length);
      expect(page.counts.stalled).toBeGreaterThan(0);
    });

    it('keeps counts equal to a full recount under 50 concurrent writers, repeated writes, deletes and expiry', async () => {
      const writers = Array.from(
        { length: 50 },
        (_, index) =>
          new Progresser({
            scope: [...SCOPE],
            id: `c${index}`,
            total: 5,
            store,
            now: () => clockMs,
            intervalMs: 1000,
            retention: { completedMs: 10_000 },
          }),
      );
      await Promise.all(
        writers.map(async (progress, index) => {
          for (let step = 0; step < 5; step++) {
            progress.tick();
            await progress.flush();
          }
          if (index % 3 === 0) await progress.complete();
          else if (index % 3 === 1) await progress.fail(new Error('boom'));
        }),
      );
      // The same final records written again at once, as a retried batch would.
      const again = await store.scope(SCOPE);
      await Promise.all(
        again.slice(0, 20).map((tick) => store.persist({ ...record(tick.id, 0), ...tick, state: null })),
      );
      await Promise.all([0, 1, 2, 5, 10].map((index) => store.delete(SCOPE, `c${index}`)));
      expect((await store.jobs(SCOPE)).counts).toEqual(countByStatus(await store.scope(SCOPE)));
      // Completed records expire; running ones, silent for 3 intervals, read stalled.
      clockMs += 15_000;
      const page = await store.jobs(SCOPE, { limit: 1000 });
      expect(page.counts).toEqual(countByStatus(await store.scope(SCOPE)));
      expect(page.counts).toMatchObject({ completed: 0, running: 0, stalled: 14, failed: 15 });
      expect((await store.scopes()).items[0]).toMatchObject({ counts: page.counts, total: 29 });
    });

    it('rejects a bad query with one ProgressrusArgumentError message format', async () => {
      const bad: [JobsQuery, string][] = [
        [{ limit: 0 }, 'Expected `limit` to be an integer from 1 to 1000, got `0`'],
        [{ limit: 1001 }, 'Expected `limit`'],
        [{ limit: 2.5 }, 'Expected `limit`'],
        [{ sort: 'size' as JobSort }, 'Expected `sort` to be one of `updatedAt`, `startedAt`, `name`, `percentage`'],
        [{ order: 'up' as 'asc' }, 'Expected `order` to be one of `asc`, `desc`'],
        [{ statuses: [] }, 'Expected `statuses`'],
        [{ statuses: ['done' as Status] }, 'Expected `statuses`'],
        [{ name: 'x'.repeat(201) }, 'Expected `name` to be a string of at most 200 characters'],
        [{ cursor: 'garbage' }, 'Expected `cursor`'],
        [{ cursor: Buffer.from('["updatedAt","desc",1e400,"x"]').toString('base64url') }, 'Expected `cursor`'],
      ];
      for (const [query, message] of bad) {
        const attempt = store.jobs(SCOPE, query);
        await expect(attempt).rejects.toThrow(ProgressrusArgumentError);
        await expect(attempt).rejects.toThrow(message);
      }
      await expect(store.jobs(['user', ''])).rejects.toThrow(ProgressrusArgumentError);
    });

    it('shows a job running, then completed, as a Progresser writes it', async () => {
      const progress = new Progresser({ scope: [...SCOPE], id: 'export', total: 10, store, now: () => clockMs });
      progress.tick(3);
      await progress.flush();
      expect((await store.jobs(SCOPE, { statuses: ['running'] })).items[0]).toMatchObject({ id: 'export', count: 3 });
      await progress.complete();
      const page = await store.jobs(SCOPE);
      expect(page.counts).toEqual(counts({ completed: 1 }));
      expect(page.items[0]).toMatchObject({ id: 'export', status: 'completed', count: 3 });
    });

    it('reads records written by the Ruby gem into pages and counts', async (context) => {
      // The gem writes Redis hashes only: a store it cannot write skips this test.
      if (!fixture.writeRuby) return context.skip();
      const dump = JSON.parse(
        readFileSync(new URL('../fixtures/ruby-gem/redis-dump-ruby-time.json', import.meta.url), 'utf8'),
      ) as Record<string, Record<string, string>>;
      for (const [id, raw] of Object.entries(dump['progressrus:user:3421'] ?? {})) await fixture.writeRuby(SCOPE, id, raw);
      const page = await store.jobs(SCOPE);
      expect(ids(page)).toEqual(['failed-unknown-total', 'completed-job', 'running-job', 'zero-total', 'started-only']);
      expect(page.counts).toEqual(counts({ running: 1, completed: 1, failed: 1, started: 2 }));
      expect(ids(await store.jobs(SCOPE, { sort: 'name', order: 'asc', name: 'i' }))).toEqual(['running-job']);
      expect(ids(await store.jobs(SCOPE, { sort: 'percentage', order: 'desc', limit: 2 }))).toEqual([
        'zero-total',
        'completed-job',
      ]);
    });

    describe('scope counts', () => {
      it('lists each scope with its counts by status and its total, kept as records change', async () => {
        await store.persist(record('a', 1));
        await store.persist(record('b', 2, { failedAt: new Date(T0 + 2 * SECOND) }));
        await store.persist(record('c', 3, { scope: ['org', 'acme'], intervalMs: 1000 }));
        const first = await store.scopes();
        expect(first.items.map((entry) => [entry.key, entry.total])).toEqual([
          ['org:acme', 1],
          ['user:3421', 2],
        ]);
        expect(first.items[0]?.counts).toEqual(counts({ stalled: 1 }));
        expect(first.items[1]?.counts).toEqual(counts({ running: 1, failed: 1 }));

        await store.persist(record('a', 4, { completedAt: new Date(T0 + 4 * SECOND) }));
        await store.delete(SCOPE, 'b');
        const second = await store.scopes({ prefix: 'user:' });
        expect(second.items).toEqual([
          expect.objectContaining({ key: 'user:3421', counts: counts({ completed: 1 }), total: 1 }),
        ]);
      });
    });
  });
}
