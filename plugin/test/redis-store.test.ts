import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { MalformedRecordError, Progresser, ProgressrusArgumentError, RedisStore } from '../src/index.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { connectRedis, monitorCommands, sleep, uniquePrefix } from './helpers.js';

const redis = connectRedis();
const FIXTURES = fileURLToPath(new URL('./fixtures/ruby-gem/', import.meta.url));
// The fixtures were written on 2026-11-27 around 20:15 UTC; reading "now" fixes expiry.
const FIXTURE_NOW = Date.parse('2026-11-27T20:16:00Z');

async function loadDump(file: string, prefix: string): Promise<void> {
  const dump = JSON.parse(readFileSync(`${FIXTURES}${file}`, 'utf8')) as Record<string, Record<string, string>>;
  for (const [key, hash] of Object.entries(dump)) {
    await redis.hset(key.replace(/^progressrus:/, `${prefix}:`), hash);
  }
}

describe('RedisStore', () => {
  describe.each([
    ['redis-dump-ruby-time.json', '2026-11-27T20:15:40.000Z'],
    ['redis-dump-activesupport.json', '2026-11-27T20:15:40.486Z'],
  ])('reading records of the Ruby gem (%s)', (file, writtenAt) => {
    it('gives the readings of the fixtures README', async () => {
      const prefix = uniquePrefix('fixture');
      await loadDump(file, prefix);
      const store = new RedisStore({ connection: redis, prefix, now: () => FIXTURE_NOW });
      const ticks = await store.scope(['user', 3421]);
      const byId = Object.fromEntries(ticks.map((tick) => [tick.id, tick]));
      expect(Object.keys(byId).sort()).toEqual(['completed-job', 'failed-unknown-total', 'running-job', 'started-only', 'zero-total']);

      const running = byId['running-job'];
      expect(running).toMatchObject({ status: 'running', count: 94, total: 100, name: 'import-records' });
      expect(running?.percentage()).toBe(94);
      expect(running?.startedAt).toEqual(new Date('2023-11-14T22:13:20Z'));

      const completed = byId['completed-job'];
      expect(completed).toMatchObject({ status: 'completed', errorCount: 2 });
      expect(completed?.percentage()).toBe(100);
      expect(completed?.completedAt?.toISOString()).toBe(writtenAt);
      expect(completed?.params).toEqual({ file: 'a.csv', opts: { dry_run: true, tags: ['x', 'y'] } });

      const failed = byId['failed-unknown-total'];
      expect(failed).toMatchObject({ status: 'failed', count: 3, total: null });
      expect(failed?.percentage()).toBeNull();
      expect(failed?.failedAt?.toISOString()).toBe(writtenAt);

      const zero = byId['zero-total'];
      expect(zero?.status).toBe('started');
      expect(zero?.percentage()).toBe(100);
      expect(zero?.expiresAt?.getTime()).toBe(Date.parse(writtenAt) + 24 * 3600 * 1000);

      expect(byId['started-only']).toMatchObject({ status: 'started', count: 0, startedAt: null });

      const [nested] = await store.scope(['shop', 'acme', 'exports']);
      expect(nested).toMatchObject({ id: 'nested-scope', status: 'running', name: 'Export — ünïcode "quoted"' });
      expect(nested?.percentage()).toBe(20);
    });

    it('indexes the Ruby data with reindex() so scopes() lists it', async () => {
      const prefix = uniquePrefix('reindex');
      await loadDump(file, prefix);
      const store = new RedisStore({ connection: redis, prefix, now: () => FIXTURE_NOW });
      expect((await store.scopes()).items).toEqual([]);
      expect(await store.reindex()).toBe(2);
      const page = await store.scopes();
      expect(page.items.map((item) => item.key).sort()).toEqual(['shop:acme:exports', 'user:3421']);
    });
  });

  it("writes exactly the Ruby gem's 11 keys with format 'ruby'", async () => {
    const prefix = uniquePrefix('ruby');
    const store = new RedisStore({ connection: redis, prefix, format: 'ruby' });
    const progress = new Progresser({ scope: ['user', 1], id: 'r', total: 5, store });
    progress.tick(2);
    await progress.complete();
    const raw = await redis.hget(`${prefix}:user:1`, 'r');
    expect(Object.keys(JSON.parse(raw ?? '{}'))).toEqual([
      'name', 'id', 'scope', 'started_at', 'completed_at', 'failed_at', 'expires_at', 'count', 'total', 'params', 'error_count',
    ]);
  });

  it('writes the first tick at once and at most 7 times for 10,000 ticks over 5 s with intervalMs 1000', async () => {
    const prefix = uniquePrefix('throttle');
    const key = `${prefix}:user:1`;
    const monitor = await monitorCommands((args) => args[0]?.toLowerCase() === 'hset' && args[1] === key);
    const store = new RedisStore({ connection: redis, prefix });
    const progress = new Progresser({ scope: ['user', 1], id: 'job', total: 10_000, store, intervalMs: 1000 });
    progress.tick();
    await sleep(100);
    expect(monitor.count()).toBe(1);
    const firstTickAt = Date.now();
    for (let i = 1; i < 10_000; i += 20) {
      for (let j = 0; j < 20; j += 1) progress.tick();
      await sleep(10);
    }
    const tickingMs = Date.now() - firstTickAt;
    // No further call: the trailing write lands within one interval.
    await sleep(1100);
    const tick = await store.find(['user', 1], 'job');
    expect(tick?.count).toBeGreaterThanOrEqual(10_000);
    await monitor.stop();
    // 5 s of ticking allows 7 writes (a leading one, one per interval, a trailing one). On a
    // loaded machine the 500 sleeps take longer than 5 s, so the bound follows the real span.
    expect(monitor.count()).toBeLessThanOrEqual(Math.max(5, Math.floor(tickingMs / 1000)) + 2);
  }, 30_000);

  it('hides expired records and removes them through the expiry index, without scanning', async () => {
    const prefix = uniquePrefix('retention');
    let now = Date.now();
    const store = new RedisStore({ connection: redis, prefix, now: () => now, sweepIntervalMs: 0 });
    const short = new Progresser({ scope: ['user', 1], id: 'short', store, now: () => now, retention: { completedMs: 1000 } });
    const kept = new Progresser({ scope: ['user', 1], id: 'kept', store, now: () => now, retention: { completedMs: null } });
    await short.complete();
    await kept.complete();
    expect((await store.scope(['user', 1])).map((t) => t.id).sort()).toEqual(['kept', 'short']);
    now += 1001;
    expect((await store.scope(['user', 1])).map((t) => t.id)).toEqual(['kept']);
    expect(await store.find(['user', 1], 'short')).toBeNull();
    const monitor = await monitorCommands((args) => ['keys', 'scan'].includes(args[0]?.toLowerCase() ?? ''));
    expect(await store.sweep()).toBe(1);
    expect(await redis.hkeys(`${prefix}:user:1`)).toEqual(['kept']);
    await monitor.stop();
    expect(monitor.count()).toBe(0);
  });

  it('drops a scope from the index once its last record expires', async () => {
    const prefix = uniquePrefix('expire-scope');
    let now = Date.now();
    const store = new RedisStore({ connection: redis, prefix, now: () => now });
    await new Progresser({ scope: ['user', 9], store, now: () => now, retention: { completedMs: 10 } }).complete();
    expect((await store.scopes()).items).toHaveLength(1);
    now += 11;
    await store.sweep();
    expect(await redis.exists(`${prefix}:user:9`)).toBe(0);
    expect((await store.scopes()).items).toHaveLength(0);
  });

  it('pages scopes newest first with a prefix filter', async () => {
    const prefix = uniquePrefix('scopes');
    const base = Date.parse('2026-01-01T00:00:00Z');
    // The store's clock must agree with the writers', or its sweep would expire their records.
    const store = new RedisStore({ connection: redis, prefix, now: () => base + 100_000 });
    for (let i = 0; i < 30; i += 1) {
      await new Progresser({ scope: ['user', i], store, now: () => base + i * 1000 }).complete();
    }
    await new Progresser({ scope: ['shop', 'acme'], store, now: () => base + 99_000 }).complete();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.scopes({ prefix: 'user:', limit: 7, cursor });
      seen.push(...page.items.map((item) => item.key));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `user:${29 - i}`));
    expect((await store.scopes({ prefix: 'user:2' })).items.map((item) => item.key)).toEqual([
      'user:29', 'user:28', 'user:27', 'user:26', 'user:25', 'user:24', 'user:23', 'user:22', 'user:21', 'user:20', 'user:2',
    ]);
    expect((await store.scopes({ limit: 1 })).items[0]?.key).toBe('shop:acme');
    expect((await store.scopes({ prefix: 'nobody:' })).items).toEqual([]);
  });

  it('rejects a malformed cursor and an out-of-range limit', async () => {
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('bad-query') });
    await expect(store.scopes({ cursor: 'not-a-cursor' })).rejects.toThrow(ProgressrusArgumentError);
    await expect(store.scopes({ limit: 0 })).rejects.toThrow(/Expected `limit` to be an integer from 1 to 1000, got `0`/);
  });

  it('reports a malformed record and still returns the others of its scope', async () => {
    const prefix = uniquePrefix('malformed');
    const reported: Error[] = [];
    const store = new RedisStore({ connection: redis, prefix, onMalformed: (error) => reported.push(error) });
    await new Progresser({ scope: ['user', 1], id: 'good', store }).complete();
    await redis.hset(`${prefix}:user:1`, 'bad', '{"count": "many"');
    const ticks = await store.scope(['user', 1]);
    expect(ticks.map((t) => t.id)).toEqual(['good']);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(MalformedRecordError);
  });

  it('deletes one record or a whole scope', async () => {
    const prefix = uniquePrefix('delete');
    const store = new RedisStore({ connection: redis, prefix });
    await new Progresser({ scope: ['user', 1], id: 'a', store }).complete();
    await new Progresser({ scope: ['user', 1], id: 'b', store }).complete();
    await store.delete(['user', 1], 'a');
    expect((await store.scope(['user', 1])).map((t) => t.id)).toEqual(['b']);
    await store.delete(['user', 1]);
    expect(await store.scope(['user', 1])).toEqual([]);
    expect((await store.scopes()).items).toEqual([]);
  });

  it('coalesces the writes of many progressers in one turn into one script call', async () => {
    const prefix = uniquePrefix('coalesce');
    const store = new RedisStore({ connection: redis, prefix });
    // The server learns the script on its first use (EVALSHA, NOSCRIPT, EVAL); later writes are one EVALSHA.
    await new Progresser({ scope: ['warm-up'], store }).complete();
    const monitor = await monitorCommands((args) => ['evalsha', 'eval', 'multi'].includes(args[0]?.toLowerCase() ?? ''));
    const jobs = Array.from({ length: 50 }, (_, i) => new Progresser({ scope: ['user', 1], id: `j${i}`, store }));
    for (const job of jobs) job.tick();
    await Promise.all(jobs.map((job) => job.flush()));
    await sleep(50);
    await monitor.stop();
    expect(monitor.count()).toBe(1);
    expect(await store.scope(['user', 1])).toHaveLength(50);
  });

  it('looks up the typical durations asked in one turn with one command', async () => {
    const prefix = uniquePrefix('durations');
    const store = new RedisStore({ connection: redis, prefix });
    const completed = async (id: string, name: string, seconds: number) => {
      let clock = Date.now();
      const job = new Progresser({ scope: ['user', 1], id, name, queue: 'q', total: 10, store, now: () => clock });
      job.tick(10);
      clock += seconds * 1000;
      await job.complete();
    };
    for (const [index, name] of ['a', 'b', 'b'].entries()) await completed(`job-${index}`, name, 10 * (index + 1));
    const one = async (name: string) => (await store.typicalDuration(name, 'q'))?.medianMs ?? null;
    const each = [await one('a'), await one('b'), await one('c')];
    expect(each).toEqual([10_000, 25_000, null]);
    // Commands sent by clients (not by a script) that name this store's keys.
    const monitor = await monitorCommands((args, source) => source !== 'lua' && args.some((arg) => arg.includes(prefix)));
    const batched = await Promise.all(['a', 'b', 'c', 'a'].map(one));
    expect(batched).toEqual([...each, 10_000]);
    // The next turn asks again.
    expect(await one('b')).toBe(25_000);
    await sleep(50);
    await monitor.stop();
    expect(monitor.commands().map((args) => args[0]?.toLowerCase())).toEqual(['evalsha', 'evalsha']);
  });

  it('counts the records its rows show when a job ends between reading the counts and the page', async () => {
    const prefix = uniquePrefix('atomic-counts');
    const connection = new Redis(inject('redisUrl'));
    const reader = new RedisStore({ connection, prefix });
    const store = new RedisStore({ connection: redis, prefix });
    const jobs = ['a', 'b', 'c'].map((id) => new Progresser({ scope: ['user', 1], id, total: 10, store }));
    for (const job of jobs) {
      job.tick();
      await job.flush();
    }
    expect((await reader.jobs(['user', 1])).counts.running).toBe(3);
    // jobs() calls the counts script, then the page script: job a ends in between.
    const evalsha = connection.evalsha.bind(connection);
    let calls = 0;
    vi.spyOn(connection, 'evalsha').mockImplementation((async (...args: Parameters<typeof evalsha>) => {
      calls += 1;
      if (calls === 2) await jobs[0]?.complete();
      return evalsha(...args);
    }) as typeof connection.evalsha);
    try {
      const page = await reader.jobs(['user', 1]);
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(page.items.map((tick) => `${tick.id}:${tick.status}`).sort()).toEqual(['a:completed', 'b:running', 'c:running']);
      expect(page.counts).toMatchObject({ running: 2, completed: 1 });
      expect(page.total).toBe(3);
    } finally {
      await connection.quit();
    }
  });

  it('throws nothing into the caller when Redis stops during ticking, and writes the final state once it is back', async () => {
    const server = await startRedisServer();
    const connection = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    connection.on('error', () => {});
    const errors: Error[] = [];
    const store = new RedisStore({ connection });
    const progress = new Progresser({ scope: ['user', 1], id: 'job', store, intervalMs: 100, finalWriteTimeoutMs: 500, onError: (e) => errors.push(e) });
    progress.tick();
    await sleep(150);
    await server.stop();
    for (let i = 0; i < 50; i += 1) {
      expect(() => progress.tick()).not.toThrow();
      await sleep(10);
    }
    await progress.complete();
    expect(errors.length).toBeGreaterThan(0);
    const restarted = await startRedisServer({ port: server.port });
    try {
      let tick = null;
      for (let i = 0; i < 100 && tick?.status !== 'completed'; i += 1) {
        await sleep(100);
        tick = await store.find(['user', 1], 'job').catch(() => null);
      }
      expect(tick).toMatchObject({ status: 'completed', count: 51 });
    } finally {
      connection.disconnect();
      await restarted.stop();
    }
  }, 30_000);
});
