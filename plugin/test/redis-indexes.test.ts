import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type ProgressRecord, Progresser, RedisStore, type Status, type Tick } from '../src/index.js';
import {
  compareJobKeys,
  countByStatus,
  JOB_SORTS,
  type JobsQuery,
  jobSortKey,
  nameSearchKey,
  normalizeJobsQuery,
} from '../src/stores/job-query.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { connectRedis, sleep, uniquePrefix } from './helpers.js';

const redis = connectRedis();
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const NAMES = ['import 9', 'Import 10', 'import 100', 'export', 'Export 007', 'ünïcode', 'import', 'a', 'import 1'];
const STATES = [null, null, null, 'retrying', 'delayed', 'waiting-children', 'queued', 'cancelled'] as const;

/** A record in one of every status, with ties on purpose (same times, same percentages). */
function randomRecord(scope: readonly string[], id: string, random: () => number): ProgressRecord {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const end = pick(['none', 'none', 'completed', 'failed'] as const);
  const startedAt = random() < 0.2 ? null : new Date(T0 + Math.floor(random() * 5) * 1000);
  const total = random() < 0.2 ? null : pick([0, 10, 100]);
  const updatedAt = random() < 0.1 ? null : new Date(T0 + Math.floor(random() * 20) * 1000);
  return {
    id,
    name: pick(NAMES),
    scope,
    startedAt,
    completedAt: end === 'completed' ? new Date(T0 + 30_000) : null,
    failedAt: end === 'failed' ? new Date(T0 + 30_000) : null,
    expiresAt: null,
    count: pick([0, 5, 10]),
    total,
    params: {},
    errorCount: 0,
    updatedAt,
    ratePerSecond: null,
    intervalMs: random() < 0.8 ? 1000 : null,
    state: end === 'none' ? pick(STATES) : null,
    errorMessage: null,
    queue: null,
    jobId: null,
    attempt: null,
    actions: [],
  };
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** What a page must hold: the whole scope filtered and sorted in memory, the contract's order. */
function expectedPage(ticks: readonly Tick[], query: JobsQuery): string[] {
  const { statuses, name, sort, order } = normalizeJobsQuery(query);
  const direction = order === 'asc' ? 1 : -1;
  return ticks
    .filter((tick) => statuses === null || statuses.has(tick.status))
    .filter((tick) => name === null || nameSearchKey(tick.name).startsWith(name))
    .sort((a, b) => direction * compareJobKeys(jobSortKey(a, sort), a.id, jobSortKey(b, sort), b.id))
    .map((tick) => tick.id);
}

async function allPages(store: RedisStore, scope: readonly string[], query: JobsQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.jobs(scope, { ...query, cursor });
    ids.push(...page.items.map((tick) => tick.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

async function writeAll(store: RedisStore, records: readonly ProgressRecord[]): Promise<void> {
  await Promise.all(records.map((record) => store.persist(record)));
}

describe('RedisStore indexes', () => {
  it('pages every sort, order, status filter and name prefix exactly as an in-memory sort of the scope', async () => {
    const now = T0 + 3500;
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('pages'), now: () => now });
    const scope = ['user', '1'];
    const random = seeded(7);
    // Some ids with a tab, a newline and characters of several bytes: persist sends a record as a
    // line with its id's length (the write script's 'l' mode).
    const idOf = (i: number) => (i >= 20 && i % 9 === 4 ? `jöb\t${i % 37}\n✓-${i}` : `job-${i % 37}-${i}`);
    await writeAll(store, Array.from({ length: 120 }, (_, i) => randomRecord(scope, idOf(i), random)));
    // persistNew (the write script's 'n' mode) indexes as persist does; ids already there stay.
    await store.persistNew(Array.from({ length: 80 }, (_, i) => randomRecord(scope, i < 20 ? `job-${i}-${i}` : `new-${i % 50}`, random)));
    const ticks = await store.scope(scope);
    expect(ticks).toHaveLength(170);
    const queries: JobsQuery[] = [];
    for (const sort of JOB_SORTS) {
      for (const order of ['asc', 'desc'] as const) {
        queries.push({ sort, order, limit: 7 });
        queries.push({ sort, order, limit: 5, statuses: ['running'] });
        queries.push({ sort, order, limit: 4, statuses: ['stalled', 'completed'] });
        queries.push({ sort, order, limit: 3, name: 'Import 1' });
        queries.push({ sort, order, limit: 6, name: 'ex', statuses: ['started', 'retrying', 'failed'] });
      }
    }
    const lengths: number[] = [];
    for (const query of queries) {
      const expected = expectedPage(ticks, query);
      lengths.push(expected.length);
      expect(await allPages(store, scope, query), JSON.stringify(query)).toEqual(expected);
    }
    // Every kind of query found jobs, several pages' worth for most.
    expect(Math.min(...lengths)).toBeGreaterThan(0);
    expect(lengths.filter((length) => length > 10).length).toBeGreaterThan(queries.length / 2);
    const page = await store.jobs(scope, { limit: 1 });
    expect(page.counts).toEqual(countByStatus(ticks));
    expect(page.total).toBe(ticks.length);
  });

  it('reads a page by walking, gathering by status or by name, whichever the mix makes cheap, as an in-memory sort', async () => {
    // A private server: its command counts show which plan ran.
    const server = await startRedisServer();
    const connection = new Redis(server.url);
    const now = T0 + 10 * 3_600_000;
    const store = new RedisStore({ connection, prefix: 'plans', now: () => now });
    const scope = ['crashed'];
    const job = (i: number, fields: Partial<ProgressRecord>): ProgressRecord => ({
      ...randomRecord(scope, `job-${String(i).padStart(5, '0')}`, () => 0),
      // Names follow ids, and percentages tie (broken by id): a walk meets matches in bunches.
      name: `Batch ${i}`,
      count: 5,
      total: 10,
      startedAt: new Date(T0 + (i % 97) * 1000),
      state: null,
      ...fields,
    });
    try {
      const records: ProgressRecord[] = [];
      // Written first, so a running record's interval (1 h) is the status's pattern: these are regular.
      for (let i = 0; i < 30; i += 1) records.push(job(i, { updatedAt: new Date(now - i * 1000), intervalMs: 3_600_000 }));
      await writeAll(store, records.splice(0));
      for (let i = 30; i < 2_400; i += 1) {
        const kind = i % 8;
        const updatedAt = new Date(T0 + i * 1000);
        // Stalled: most irregular (a 1 s interval), some regular (1 h, 4 h ago); a few never stall; some ended.
        if (kind < 5) records.push(job(i, { updatedAt, intervalMs: 1000 }));
        else if (kind === 5) records.push(job(i, { updatedAt: new Date(now - 4 * 3_600_000 - i), intervalMs: 3_600_000 }));
        else if (kind === 6 && i % 3 === 0) records.push(job(i, { updatedAt, intervalMs: null }));
        else records.push(job(i, { updatedAt, completedAt: updatedAt, count: 10, name: i % 2 ? `Bätch ${i}` : `Batch ${i}` }));
      }
      await writeAll(store, records);
      const ticks = await store.scope(scope);
      const zscores = async () => Number(/cmdstat_zscore:calls=(\d+)/.exec(await connection.info('commandstats'))?.[1] ?? 0);
      const queries: [query: JobsQuery, maxZscores: number][] = [
        // 30 running + the never-stalling among ~2,100 running-or-stalled: gathered from u and t ranges.
        [{ statuses: ['running'], sort: 'percentage' }, 200],
        [{ statuses: ['running'], sort: 'startedAt', order: 'asc' }, 200],
        [{ statuses: ['running'] }, 200],
        // Most pass: walked.
        [{ statuses: ['stalled'], sort: 'startedAt' }, Number.POSITIVE_INFINITY],
        // 11 matches, bunched in the walk's order: the walk gives up, the names are gathered.
        [{ name: 'batch 12', sort: 'percentage' }, 200],
        [{ name: 'batch 12', statuses: ['running', 'stalled'], sort: 'startedAt' }, 200],
        [{ name: 'batch 1' }, Number.POSITIVE_INFINITY],
        // Not ASCII: a walk cannot test it in Lua, so the names are gathered.
        [{ name: 'bätch 2', sort: 'startedAt', order: 'asc' }, 200],
        [{ statuses: ['running'], sort: 'name', order: 'asc' }, Number.POSITIVE_INFINITY],
      ];
      for (const [query, maxZscores] of queries) {
        const before = await zscores();
        const first = await store.jobs(scope, { ...query, limit: 20 });
        const used = (await zscores()) - before;
        expect(used, JSON.stringify(query)).toBeLessThanOrEqual(maxZscores);
        const expected = expectedPage(ticks, query);
        expect(first.items.map((tick) => tick.id), JSON.stringify(query)).toEqual(expected.slice(0, 20));
        expect(await allPages(store, scope, { ...query, limit: 20 }), JSON.stringify(query)).toEqual(expected);
      }
      expect((await store.jobs(scope, { limit: 1 })).counts).toEqual(countByStatus(ticks));
    } finally {
      await connection.quit();
      await server.stop();
    }
  });

  it('reads a name prefix that matches about √(page × scope) records by a match walk: no value read, only the kept ids scored', async () => {
    // A private server: its slow log (every command, with its arguments) shows what was read.
    const server = await startRedisServer();
    const connection = new Redis(server.url);
    const now = T0 + 10 * 3_600_000;
    const store = new RedisStore({ connection, prefix: 'match', now: () => now });
    const scope = ['spread'];
    const random = seeded(5);
    try {
      // 3,000 records, 60 unfinished; one in ten named "Match …", spread at random over every sort's order.
      const records = Array.from({ length: 3_000 }, (_, i): ProgressRecord => {
        const updatedAt = new Date(T0 + Math.floor(random() * 3_600_000));
        const ended = i % 50 !== 0;
        return {
          ...randomRecord(scope, `job-${String(i).padStart(5, '0')}`, () => 0),
          name: i % 10 === 3 ? `Match ${i}` : `Other ${i}`,
          count: Math.floor(random() * 1000),
          total: 1000,
          startedAt: new Date(updatedAt.getTime() - Math.floor(random() * 60_000)),
          updatedAt,
          completedAt: ended ? updatedAt : null,
          // The unfinished ones: running (a 1 h interval, written within the last hour) or stalled.
          intervalMs: i % 100 === 0 ? 3_600_000 : 1000,
          state: null,
        };
      });
      await writeAll(store, records);
      const ticks = await store.scope(scope);
      await connection.config('SET', 'slowlog-log-slower-than', '0');
      await connection.config('SET', 'slowlog-max-len', '100000');
      /** The ids scored (ZMSCORE, ZSCORE) and the values read (HGET, HMGET) since the last call. */
      const reads = async () => {
        const log = (await connection.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][];
        await connection.call('SLOWLOG', 'RESET');
        let scored = 0;
        let values = 0;
        for (const [, , , args] of log) {
          const [command = ''] = args;
          // The log shows 32 arguments at most, the last saying how many more there were.
          const more = Number(/^\.\.\. \((\d+) more arguments\)$/.exec(args.at(-1) ?? '')?.[1] ?? 0);
          const count = args.length - 2 + (more > 0 ? more - 1 : 0);
          if (/^z(m)?score$/i.test(command)) scored += count;
          if (/^hm?get$/i.test(command)) values += count;
        }
        return { scored, values };
      };
      const queries: JobsQuery[] = [
        { name: 'match' },
        { name: 'match', order: 'asc' },
        { name: 'match', sort: 'startedAt' },
        { name: 'match', sort: 'percentage', order: 'asc' },
        { name: 'match', statuses: ['completed', 'stalled'] },
      ];
      for (const query of queries) {
        await reads();
        const first = await store.jobs(scope, { ...query, limit: 20 });
        const { scored, values } = await reads();
        const expected = expectedPage(ticks, query);
        expect(first.items.map((tick) => tick.id), JSON.stringify(query)).toEqual(expected.slice(0, 20));
        // A gather scores the ~300 matches; a walk reads the value of every record it passes.
        expect(scored, JSON.stringify(query)).toBeLessThanOrEqual(60);
        expect(values, JSON.stringify(query)).toBeLessThanOrEqual(21);
        expect(await allPages(store, scope, { ...query, limit: 20 }), JSON.stringify(query)).toEqual(expected);
      }
    } finally {
      await connection.quit();
      await server.stop();
    }
  });

  it('keeps counts exact against a recount under 50 concurrent writers, rewrites, deletes and expiry', async () => {
    let now = T0;
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('counts'), now: () => now, sweepIntervalMs: 0 });
    const scope = ['tenant', '9'];
    const random = seeded(11);
    const writers = Array.from({ length: 50 }, async (_, writer) => {
      for (let round = 0; round < 8; round += 1) {
        const record = randomRecord(scope, `job-${writer}-${round % 3}`, random);
        // Some records expire 5 s from the start, so the sweep removes them midway.
        const expiring = { ...record, expiresAt: round % 4 === 0 ? new Date(T0 + 5000) : null };
        await (round === 2 ? store.persistNew([expiring]) : store.persist(expiring));
        if (round === 5 && writer % 5 === 0) await store.delete(scope, `job-${writer}-1`);
        await sleep(1);
      }
    });
    await Promise.all(writers);
    const recount = async () => countByStatus(await store.scope(scope));
    expect((await store.jobs(scope, { limit: 1 })).counts).toEqual(await recount());
    now = T0 + 6000;
    await store.sweep();
    expect((await store.jobs(scope, { limit: 1 })).counts).toEqual(await recount());
    expect((await store.scopes()).items[0]?.counts).toEqual(await recount());
  });

  it('shows records the Ruby gem wrote (HSET only) after one read, and after reindex()', async () => {
    const prefix = uniquePrefix('ruby-repair');
    const fixtures = fileURLToPath(new URL('./fixtures/ruby-gem/redis-dump-ruby-time.json', import.meta.url));
    const dump = JSON.parse(readFileSync(fixtures, 'utf8')) as Record<string, Record<string, string>>;
    for (const [key, hash] of Object.entries(dump)) await redis.hset(key.replace(/^progressrus:/, `${prefix}:`), hash);
    const store = new RedisStore({ connection: redis, prefix, now: () => Date.parse('2026-11-27T20:16:00Z') });
    const page = await store.jobs(['user', 3421], { sort: 'name', order: 'asc' });
    expect(page.items.map((tick) => tick.id)).toEqual(
      expectedPage(await store.scope(['user', 3421]), { sort: 'name', order: 'asc' }),
    );
    expect(page.total).toBe(5);
    expect(page.counts).toMatchObject({ running: 1, completed: 1, failed: 1, started: 2 });
    // A record the gem rewrites later (HSET again) moves in the indexes at the next reindex.
    const raw = (await redis.hget(`${prefix}:user:3421`, 'running-job')) as string;
    await redis.hset(`${prefix}:user:3421`, 'running-job', raw.replace('"completed_at":null', '"completed_at":"2026-11-27 20:15:59 +0000"'));
    expect(await store.reindex()).toBe(2);
    expect((await store.jobs(['user', 3421])).counts).toMatchObject({ running: 0, completed: 2 });
  });

  it('repairs a scope whose hash was deleted behind the indexes (the gem’s flush)', async () => {
    const prefix = uniquePrefix('orphans');
    const store = new RedisStore({ connection: redis, prefix });
    await new Progresser({ scope: ['user', 1], id: 'a', store }).complete();
    await redis.del(`${prefix}:user:1`);
    const page = await store.jobs(['user', 1]);
    expect(page).toMatchObject({ items: [], total: 0 });
  });

  it('keeps counts exact across a Redis restart, retrying the writes it missed', async () => {
    const server = await startRedisServer();
    const connection = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    connection.on('error', () => {});
    const store = new RedisStore({ connection, prefix: 'restart' });
    try {
      const jobs = Array.from({ length: 20 }, (_, i) => new Progresser({ scope: ['q'], id: `j${i}`, store, intervalMs: 50, onError: () => {} }));
      for (const job of jobs) job.tick();
      await sleep(100);
      await server.stop();
      for (const job of jobs) job.tick(2);
      const done = Promise.all(jobs.map((job, i) => (i % 2 === 0 ? job.complete() : job.fail(new Error('x')))));
      await sleep(200);
      const restarted = await startRedisServer({ port: server.port });
      try {
        await done;
        for (let i = 0; i < 100; i += 1) {
          const ticks = await store.scope(['q']).catch(() => []);
          if (ticks.filter((tick) => tick.finished).length === 20) break;
          await sleep(100);
        }
        const page = await store.jobs(['q'], { limit: 1 });
        expect(page.counts).toEqual(countByStatus(await store.scope(['q'])));
        expect(page.counts).toMatchObject({ completed: 10, failed: 10 });
      } finally {
        connection.disconnect();
        await restarted.stop();
      }
    } finally {
      connection.disconnect();
    }
  }, 30_000);

  it('counts a record stalled once its stall time passes, with no write', async () => {
    let now = T0;
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('stall'), now: () => now });
    const running = randomRecord(['s'], 'r', () => 0);
    await store.persist({ ...running, state: null, completedAt: null, failedAt: null, startedAt: new Date(T0), updatedAt: new Date(T0), intervalMs: 1000 });
    expect((await store.jobs(['s'])).counts).toMatchObject({ running: 1, stalled: 0 });
    now = T0 + 3001;
    const page = await store.jobs(['s'], { statuses: ['stalled'] });
    expect(page.counts).toMatchObject({ running: 0, stalled: 1 });
    expect(page.items.map((tick) => tick.status as Status)).toEqual(['stalled']);
    expect((await store.jobs(['s'], { statuses: ['running'] })).items).toEqual([]);
  });
});
