import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProgressRecord } from '../../src/index.js';
import { JOB_SORTS, type JobSort } from '../../src/stores/job-query.js';
import { type JobsPageFilter, postgresQueries } from '../../src/stores/postgres/postgres-queries.js';
import type { PostgresStore } from '../../src/stores/postgres/index.js';
import { postgresFixture } from './postgres-fixture.js';

const pool = new pg.Pool({ connectionString: inject('postgresUrl'), max: 2 });
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const SIZE = 20_000;

function record(index: number): ProgressRecord {
  const done = index % 10 !== 0;
  return {
    id: `job-${index}`,
    name: `Import ${index % 997}`,
    scope: ['big', '1'],
    startedAt: index % 7 === 0 ? null : new Date(T0 + index),
    completedAt: done ? new Date(T0 + index + 500) : null,
    failedAt: null,
    expiresAt: null,
    count: index % 101,
    total: index % 13 === 0 ? null : 100,
    params: {},
    errorCount: 0,
    updatedAt: new Date(T0 + index + 500),
    ratePerSecond: null,
    intervalMs: 2000,
    state: null,
    errorMessage: null,
    queue: null,
    jobId: null,
    attempt: null,
    actions: [],
  };
}

/**
 * The plans PostgreSQL picks for `jobs()` on a large scope: every page is an index range
 * scan under a LIMIT, never a sequential scan of the records nor a sort of the whole scope.
 */
describe('PostgresStore.jobs() query plans', () => {
  let fixture: Awaited<ReturnType<typeof postgresFixture>>;
  let store: PostgresStore;

  beforeAll(async () => {
    fixture = await postgresFixture(pool);
    store = fixture.store;
    await Promise.all(Array.from({ length: SIZE }, (_, index) => store.persist(record(index))));
    // VACUUM too, as autovacuum does after a bulk load: index-only scans read its visibility map.
    await pool.query(`VACUUM ANALYZE ${store.tables.records}`);
    await pool.query(`ANALYZE ${store.tables.scopes}`);
  }, 120_000);
  afterAll(async () => {
    await fixture.close();
    await pool.end();
  });

  async function plan(filter: Partial<JobsPageFilter>, extra: unknown[] = []): Promise<string> {
    const full: JobsPageFilter = { statuses: null, name: false, sort: 'updatedAt', order: 'desc', cursor: false, ...filter };
    const text = postgresQueries(store.tables).jobsPage(full);
    const params: unknown[] = ['big:1', new Date(T0).toISOString(), 51, ...extra];
    const rows = (await pool.query(`EXPLAIN (COSTS OFF) ${text}`, params)).rows;
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  // updatedAt's index is covering (it holds the name key, status and stall time).
  const indexOf = (sort: JobSort) =>
    `${store.tables.stem}_${sort.toLowerCase()}${sort === 'updatedAt' ? '_cover' : ''}_idx`;

  for (const sort of JOB_SORTS) {
    for (const order of ['asc', 'desc'] as const) {
      it(`reads a page by ${sort} ${order} from its index under a LIMIT, first page and after a cursor`, async () => {
        const cursorKey = sort === 'name' ? 'import 00000000000000000500' : sort === 'percentage' ? 50 : T0 + 5000;
        for (const text of [await plan({ sort, order }), await plan({ sort, order, cursor: true }, [cursorKey, 'job-5000'])]) {
          expect(text).toMatch(/^Limit/);
          expect(text).toMatch(new RegExp(`Index Scan${order === 'desc' ? ' Backward' : ''} using ${indexOf(sort)}`));
          expect(text).not.toMatch(/Seq Scan|Sort/);
        }
      });
    }
  }

  it('reads a status-filtered page from the status index, and a stalled one from a sort index', async () => {
    const failed = await plan({ statuses: new Set(['failed']) });
    expect(failed).toContain(`${store.tables.stem}_status_idx`);
    expect(failed).not.toMatch(/Seq Scan|Sort/);
    const running = await plan({ statuses: new Set(['running', 'stalled']) }, [T0]);
    expect(running).toMatch(/Index Scan/);
    expect(running).not.toMatch(/Seq Scan/);
  });

  it('reads a page of the few running or stalled records through the stall indexes, as the walk of a sort index would', async () => {
    const sql = postgresQueries(store.tables);
    // At T0 + 10 s the first 450 or so of the 2,000 unfinished records have stalled.
    const nowMs = T0 + 10_000;
    for (const statuses of [new Set(['running'] as const), new Set(['stalled', 'failed'] as const)]) {
      for (const sort of JOB_SORTS) {
        const filter: JobsPageFilter = { statuses, name: false, sort, order: 'desc', cursor: false };
        const params = ['big:1', new Date(nowMs).toISOString(), 51, nowMs];
        const gather = sql.jobsGather(filter);
        const text = (await pool.query(`EXPLAIN (COSTS OFF) ${gather}`, params)).rows.map((row) => row['QUERY PLAN']).join('\n');
        // Index ranges of the status or the stall time (here 1,550 of the 2,000 unfinished
        // records are running: the planner may take either), never a walk of the sort index.
        expect(text).toMatch(new RegExp(`${store.tables.stem}_(stall_cover|status)_idx`));
        expect(text).not.toMatch(new RegExp(`Seq Scan on ${store.tables.stem}(?!_)|${indexOf(sort)}`));
        const ids = async (query: string) => (await pool.query(query, params)).rows.map((row) => row.id as string);
        const walked = await ids(sql.jobsPage(filter));
        expect(walked.length).toBeGreaterThan(0);
        expect(await ids(gather)).toEqual(walked);
      }
    }
  });

  it('reads the few running records among many stalled ones from the covering stall index, and counts them there, entries only', async () => {
    // A deploy that crashed its workers: 9,900 stalled records (written `running`), 100 running.
    const own = await postgresFixture(pool, { now: () => T0 + 60_000 });
    const scope = ['crashed', '1'];
    try {
      const writes: Promise<void>[] = [];
      for (let index = 0; index < 10_000; index += 1) {
        const running = index % 100 === 0;
        writes.push(
          own.store.persist({
            ...record(index),
            scope,
            startedAt: new Date(T0),
            completedAt: null,
            updatedAt: new Date(T0 + (running ? 59_000 : 0) + index),
          }),
        );
      }
      await Promise.all(writes);
      await pool.query(`VACUUM ANALYZE ${own.store.tables.records}`);
      const nowMs = T0 + 60_000;
      const sql = postgresQueries(own.store.tables);
      for (const sort of ['updatedAt', 'percentage'] as const) {
        const filter: JobsPageFilter = { statuses: new Set(['running']), name: false, sort, order: 'desc', cursor: false };
        const params = ['crashed:1', new Date(nowMs).toISOString(), 51, nowMs];
        const text = (await pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql.jobsGather(filter, new Set())}`, params)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
        // Entries only, once VACUUM has marked the pages all-visible (tests running beside this one may keep it from it).
        expect(text).toMatch(new RegExp(`Index Only Scan using ${own.store.tables.stem}_stall_cover_idx[^\n]*actual rows=100 `));
        const page = await own.store.jobs(scope, { statuses: ['running'], sort, limit: 50 });
        expect(page.items).toHaveLength(50);
        expect(page.items.every((tick) => Number(tick.id.slice(4)) % 100 === 0)).toBe(true);
        expect(page.counts).toMatchObject({ running: 100, stalled: 9_900 });
      }
      const counted = (await pool.query(`EXPLAIN (COSTS OFF) ${sql.countAdjustments}`, [['crashed:1'], new Date(nowMs).toISOString(), nowMs])).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      expect(counted).toMatch(new RegExp(`Index Only Scan using ${own.store.tables.stem}_stall_cover_idx`));
    } finally {
      await own.close();
    }
  });

  it('gathers never-stalling running records only in a scope whose counters say it holds some', async () => {
    // The planner cannot tell how few they are (it expects ~200,000 of a million) and compiles
    // a plan costed that high (JIT, ~30 ms a read), so the branch is left out when it reads nothing.
    const statements: string[] = [];
    const recording = {
      query: (text: string, params?: unknown[]) => {
        statements.push(text);
        return pool.query(text, params);
      },
    };
    const own = await postgresFixture(recording as unknown as pg.Pool, { now: () => T0 + 10_000 });
    const scope = ['mix', '1'];
    try {
      // 200 records: 180 completed, 20 stalled (at T0 + 10 s); and one running, written late.
      for (let index = 0; index < 200; index += 1) await own.store.persist({ ...record(index), scope });
      await own.store.persist({ ...record(5001), scope, completedAt: null });
      const runningPage = async () => {
        statements.length = 0;
        const ids = (await own.store.jobs(scope, { statuses: ['running'] })).items.map((tick) => tick.id);
        // The last gather read: the page of a scope with never-stalling records is read again with them.
        return { ids, gather: statements.findLast((text) => text.startsWith('WITH c AS')) ?? '' };
      };
      const before = await runningPage();
      expect(before.ids).toEqual(['job-5001']);
      expect(before.gather).toContain('stalled_at_ms >=');
      expect(before.gather).not.toContain('stalled_at_ms IS NULL');
      // A running record without an interval never stalls: now the branch is read.
      await own.store.persist({ ...record(6001), scope, completedAt: null, intervalMs: null });
      const after = await runningPage();
      expect(after.ids).toEqual(['job-6001', 'job-5001']);
      expect(after.gather).toContain('stalled_at_ms IS NULL');
    } finally {
      await own.close();
    }
  });

  it('reads a name-prefixed page sorted otherwise by a bounded walk of the sort index, or the search index, as the plain walk would', async () => {
    const sql = postgresQueries(store.tables);
    const ids = async (query: string, params: unknown[]) => (await pool.query(query, params)).rows.map((row) => row.id as string);
    const planOf = async (query: string, params: unknown[]) =>
      (await pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query}`, params)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    for (const sort of ['updatedAt', 'startedAt', 'percentage'] as const) {
      const filter: JobsPageFilter = { statuses: null, name: true, sort, order: 'desc', cursor: false };
      const params = ['big:1', new Date(T0).toISOString(), 51, 'import 12%', 'import 12'];
      const walked = await ids(sql.jobsPage(filter), params);
      expect(walked).toHaveLength(51);
      // ~220 matches of 20,000: a walk finds a page in ~4,600 records. With that budget it
      // does, and the gather is never read; with 1,000 it gives up and the search index serves.
      const named = sql.jobsNamed(filter);
      const walk = await planOf(named, [...params, SIZE]);
      expect(walk).toMatch(new RegExp(`Index (Only )?Scan Backward using ${indexOf(sort)}`));
      expect(walk).toMatch(/search_cover_idx[^\n]*\(never executed\)/);
      expect(await ids(named, [...params, SIZE])).toEqual(walked);
      const gathered = await planOf(named, [...params, 1_000]);
      expect(gathered).toMatch(/Index Only Scan using \S+_search_cover_idx/);
      expect(gathered).not.toMatch(/search_cover_idx[^\n]*\(never executed\)/);
      expect(await ids(named, [...params, 1_000])).toEqual(walked);
      if (sort === 'updatedAt') {
        // Its index holds the name key: the walk reads entries, never a row.
        expect(walk).toMatch(new RegExp(`Index Only Scan Backward using ${indexOf(sort)}`));
        expect(walk).toMatch(/Heap Fetches: 0/);
      }
    }
    // 20,000, ~2,200 and ~220 matches: each page as the plain walk's.
    for (const name of ['import', 'import 1', 'import 12']) {
      for (const sort of ['updatedAt', 'percentage'] as const) {
        const page = await store.jobs(['big', 1], { name, sort, limit: 50 });
        const filter: JobsPageFilter = { statuses: null, name: true, sort, order: 'desc', cursor: false };
        const expected = await ids(sql.jobsPage(filter), ['big:1', new Date().toISOString(), 50, `${name}%`, name]);
        expect(page.items.map((tick) => tick.id)).toEqual(expected);
      }
    }
  });

  it('reads a name-prefixed page through an index, never a sequential scan', async () => {
    const text = await plan({ name: true, sort: 'name' }, ['import 12%', 'import 12']);
    expect(text).toMatch(/Index Scan/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('counts from the counters and two index ranges, never the scope', async () => {
    const sql = postgresQueries(store.tables);
    for (const [text, params] of [
      [sql.counters, [['big:1']]],
      [sql.countAdjustments, [['big:1'], new Date(T0).toISOString(), T0]],
    ] as const) {
      const rows = (await pool.query(`EXPLAIN (COSTS OFF) ${text}`, [...params])).rows;
      // The scopes table holds one row here: only a scan of the records would be wrong.
      const planText = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(planText).not.toMatch(new RegExp(`Seq Scan on ${store.tables.stem}(?!_)`));
    }
    const page = await store.jobs(['big', 1], { limit: 10 });
    expect(page.total).toBe(SIZE);
    expect(page.counts.completed).toBe(SIZE - SIZE / 10);
  });
});
