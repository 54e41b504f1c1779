import { Queue, QueueEvents } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressWorker } from '../../src/bullmq/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { RedisChangeFeed } from '../../src/stores/redis/redis-changes.js';
import { type RedisCluster, startRedisCluster } from '../cluster-setup.js';
import { sleep, uniquePrefix } from '../helpers.js';

let cluster: RedisCluster;
let connection: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  connection = new Cluster([...cluster.nodes]);
  await connection.ping();
}, 60_000);

afterAll(async () => {
  await connection?.quit();
  await cluster?.stop();
});

/** The master that serves `key`, asked of the cluster itself. */
async function masterOf(key: string): Promise<number> {
  const slot = await connection.cluster('KEYSLOT', key);
  const slots = (await connection.cluster('SLOTS')) as unknown as [
    number,
    number,
    [string, number],
  ][];
  const owner = slots.find(([from, to]) => slot >= from && slot <= to);
  if (!owner) throw new Error(`No master serves slot ${slot}`);
  return owner[2][1];
}

/** Runs `count` jobs over `scopes` scopes, concurrently, each ticking `ticks` times. */
async function runJobs(
  store: RedisStore,
  { scopes, perScope, ticks }: { scopes: number; perScope: number; ticks: number },
) {
  const jobs: Promise<void>[] = [];
  for (let s = 0; s < scopes; s += 1) {
    for (let j = 0; j < perScope; j += 1) {
      jobs.push(
        (async () => {
          const progress = new Progresser({
            scope: ['tenant', s],
            id: `job-${j}`,
            total: ticks,
            store,
            intervalMs: 20,
          });
          for (let i = 0; i < ticks; i += 1) {
            progress.tick();
            if (i % 10 === 0) await sleep(1);
          }
          await progress.complete();
        })(),
      );
    }
  }
  await Promise.all(jobs);
}

describe('RedisStore on a Redis Cluster of 3 masters', () => {
  it('keeps the index keys in one slot and spreads the scope hashes over every master', async () => {
    const prefix = uniquePrefix('cluster-layout');
    const store = new RedisStore({ connection, prefix });
    const indexSlots = await Promise.all(
      [store.keys.scopes, store.keys.names, store.keys.expiries].map((key) =>
        connection.cluster('KEYSLOT', key),
      ),
    );
    expect(new Set(indexSlots).size).toBe(1);

    await runJobs(store, { scopes: 30, perScope: 1, ticks: 5 });
    const owners = new Set<number>();
    for (let s = 0; s < 30; s += 1) {
      expect(await connection.exists(store.keys.scope(`tenant:${s}`))).toBe(1);
      owners.add(await masterOf(store.keys.scope(`tenant:${s}`)));
    }
    expect(owners).toEqual(new Set(cluster.servers.map((server) => server.port)));
  });

  it('writes, reads, lists and pages the scopes of concurrent jobs', async () => {
    const prefix = uniquePrefix('cluster-rw');
    const store = new RedisStore({ connection, prefix });
    await runJobs(store, { scopes: 12, perScope: 5, ticks: 200 });

    for (let s = 0; s < 12; s += 1) {
      const ticks = await store.scope(['tenant', s]);
      expect(ticks.map((tick) => tick.id).sort()).toEqual([
        'job-0',
        'job-1',
        'job-2',
        'job-3',
        'job-4',
      ]);
      for (const tick of ticks)
        expect(tick).toMatchObject({ status: 'completed', count: 200, total: 200 });
    }
    expect(await store.find(['tenant', 3], 'job-2')).toMatchObject({
      status: 'completed',
      count: 200,
    });

    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.scopes({ prefix: 'tenant:', limit: 5, cursor });
      listed.push(...page.items.map((item) => item.key));
      cursor = page.nextCursor;
    } while (cursor);
    expect(listed.sort()).toEqual(Array.from({ length: 12 }, (_, s) => `tenant:${s}`).sort());
    // One expiry entry per scope. The records share their retention: regular, no entry of their own.
    expect(await connection.zcard(store.keys.expiries)).toBe(12);
    expect(await connection.zcard(store.keys.of('tenant:3').expiries)).toBe(0);
    const page = await store.jobs(['tenant', 3], { sort: 'name', order: 'asc', limit: 2 });
    expect(page.items.map((tick) => tick.id)).toEqual(['job-0', 'job-1']);
    expect(page.counts.completed).toBe(5);
    expect((await store.scopes({ prefix: 'tenant:1', limit: 1 })).items[0]?.counts.completed).toBe(5);
  });

  it('sends the global index entries of a batch to the index slot as one script call', async () => {
    const prefix = uniquePrefix('cluster-script');
    const store = new RedisStore({ connection, prefix, publish: false });
    // Learn the script first: a node that lacks it answers NOSCRIPT and gets an EVAL.
    await new Progresser({ scope: ['warm-up'], id: 'j', store }).complete();
    const indexPort = await masterOf(store.keys.scopes);
    const monitor = await new Redis({ host: '127.0.0.1', port: indexPort }).monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
    await sleep(50);
    const jobs = Array.from({ length: 20 }, (_, i) => new Progresser({ scope: ['shard', i], id: 'j', store }));
    for (const job of jobs) job.tick();
    await Promise.all(jobs.map((job) => job.flush()));
    const isGlobalCall = (args: string[]) => args[0]?.toLowerCase() === 'evalsha' && args[3] === store.keys.scopes;
    for (let i = 0; i < 200 && !seen.some(isGlobalCall); i += 1) await sleep(25);
    await sleep(100);
    monitor.disconnect();
    const calls = seen.filter(isGlobalCall);
    expect(calls).toHaveLength(1);
    // The 20 scopes, each with its activity and expiry, in that one call.
    expect(calls[0]?.filter((arg) => arg.startsWith('shard:'))).toHaveLength(20);
    expect(await connection.zcard(store.keys.scopes)).toBe(21);
    expect(await connection.zcard(store.keys.expiries)).toBe(21);
  });

  it('writes queued records with persistNew across the slots of their scopes, as persist does', async () => {
    const now = Date.now();
    const records = Array.from({ length: 300 }, (_, i) => ({
      id: `imports:job-${i}`,
      name: 'import',
      scope: ['tenant', String(i % 30)],
      startedAt: null,
      completedAt: null,
      failedAt: null,
      expiresAt: new Date(now + 86_400_000),
      count: 0,
      total: 100 + i,
      params: {},
      errorCount: 0,
      updatedAt: new Date(now),
      ratePerSecond: null,
      intervalMs: 2000,
      state: 'queued' as const,
      errorMessage: null,
      queue: 'imports',
      jobId: `job-${i}`,
      attempt: null,
      actions: [],
    }));
    const inserted = new RedisStore({ connection, prefix: uniquePrefix('cluster-insert') });
    const persisted = new RedisStore({ connection, prefix: uniquePrefix('cluster-persist') });
    await inserted.persistNew(records);
    await Promise.all(records.map((record) => persisted.persist(record)));
    for (const tenant of [0, 7, 29]) {
      const scope = ['tenant', tenant];
      const [raw, expected] = await Promise.all(
        [inserted, persisted].map((store) => connection.hgetall(store.keys.scope(scope.join(':')))),
      );
      expect(Object.keys(raw ?? {})).toHaveLength(10);
      expect(raw).toEqual(expected);
      const [page, expectedPage] = await Promise.all([
        inserted.jobs(scope, { sort: 'percentage' }),
        persisted.jobs(scope, { sort: 'percentage' }),
      ]);
      expect(page.counts).toEqual(expectedPage.counts);
      expect(page.items.map((tick) => tick.id)).toEqual(expectedPage.items.map((tick) => tick.id));
    }
    expect((await inserted.scopes({ limit: 50 })).items).toHaveLength(30);
  });

  it('looks up the typical durations of many names in one turn (their sets share the index slot)', async () => {
    const prefix = uniquePrefix('cluster-durations');
    const store = new RedisStore({ connection, prefix });
    const names = ['import', 'export', 'billing run', 'nightly {tenant} sync'];
    for (const [index, name] of names.entries()) {
      let clock = Date.now();
      const job = new Progresser({ scope: ['user', index], id: `j${index}`, name, queue: 'q', total: 10, store, now: () => clock });
      job.tick(10);
      clock += (index + 1) * 1000;
      await job.complete();
    }
    const typical = await Promise.all([...names, 'never ran'].map((name) => store.typicalDuration(name, 'q')));
    expect(typical.map((entry) => entry?.medianMs ?? null)).toEqual([1000, 2000, 3000, 4000, null]);
  });

  it('keeps every key of a scope in its hash slot, whatever braces its parts hold', async () => {
    const prefix = uniquePrefix('cluster-braces');
    let now = Date.now();
    const store = new RedisStore({ connection, prefix, now: () => now, sweepIntervalMs: 0 });
    const scopes = [['{a}', 'x'], ['a}b'], ['x{', 'y}'], ['{}', 'z'], ['}{'], ['{b}', '{c}'], ['{', '}']];
    for (const scope of scopes) {
      const keys = store.keys.of(scope.join(':'));
      const slots = new Set(await Promise.all(keys.block.map((key) => connection.cluster('KEYSLOT', key))));
      expect(slots, scope.join(':')).toEqual(new Set([await connection.cluster('KEYSLOT', keys.hash)]));
      await Promise.all(
        ['a', 'b', 'c'].map((id, i) =>
          new Progresser({ scope, id, store, now: () => now, retention: { completedMs: i === 0 ? 10 : null } }).complete(),
        ),
      );
      const page = await store.jobs(scope, { sort: 'name', order: 'desc' });
      expect(page.items.map((tick) => tick.id)).toEqual(['c', 'b', 'a']);
    }
    // Two scopes whose hashes share a tag keep apart.
    expect(store.keys.of('{b}:1').block[1]).not.toBe(store.keys.of('{b}:2').block[1]);
    now += 20;
    expect(await store.sweep()).toBe(scopes.length);
    for (const scope of scopes) {
      const page = await store.jobs(scope);
      expect(page.total).toBe(2);
      await store.delete(scope, 'b');
      expect((await store.jobs(scope)).counts.completed).toBe(1);
    }
  });

  it('expires records through the expiry index and drops their scopes', async () => {
    const prefix = uniquePrefix('cluster-expire');
    let now = Date.now();
    const store = new RedisStore({ connection, prefix, now: () => now, sweepIntervalMs: 0 });
    for (let s = 0; s < 10; s += 1) {
      await new Progresser({
        scope: ['tenant', s],
        id: 'short',
        store,
        now: () => now,
        retention: { completedMs: 1000 },
      }).complete();
    }
    await new Progresser({
      scope: ['tenant', 0],
      id: 'kept',
      store,
      now: () => now,
      retention: { completedMs: null },
    }).complete();
    now += 1001;
    expect(await store.sweep()).toBe(10);
    expect(await connection.hkeys(store.keys.scope('tenant:0'))).toEqual(['kept']);
    for (let s = 1; s < 10; s += 1)
      expect(await connection.exists(store.keys.scope(`tenant:${s}`))).toBe(0);
    expect((await store.scopes()).items.map((item) => item.key)).toEqual(['tenant:0']);
    expect(await connection.zcard(store.keys.expiries)).toBe(0);
  });

  it('rebuilds lost indexes with reindex(), scanning every master', async () => {
    const prefix = uniquePrefix('cluster-reindex');
    const store = new RedisStore({ connection, prefix });
    await runJobs(store, { scopes: 15, perScope: 2, ticks: 3 });
    await connection.del(store.keys.scopes, store.keys.names, store.keys.expiries);
    expect((await store.scopes()).items).toEqual([]);
    expect(await store.reindex()).toBe(15);
    expect((await store.scopes({ limit: 100 })).items).toHaveLength(15);
    expect(await connection.zcard(store.keys.expiries)).toBe(15);
    expect((await store.jobs(['tenant', 4])).counts.completed).toBe(2);
  });

  it('delivers each change through RedisChangeFeed after the record is readable', async () => {
    const prefix = uniquePrefix('cluster-feed');
    const store = new RedisStore({ connection, prefix });
    const feed = new RedisChangeFeed({ connection, prefix });
    const reads: Promise<string | undefined>[] = [];
    await feed.subscribe(({ scope, id }) => {
      if (scope === 'feed:1') reads.push(store.find(['feed', 1], id).then((tick) => tick?.status));
    });
    const progress = new Progresser({
      scope: ['feed', 1],
      id: 'live',
      total: 10,
      store,
      intervalMs: 10,
    });
    for (let i = 0; i < 10; i += 1) {
      progress.tick();
      await sleep(15);
    }
    await progress.complete();
    for (let i = 0; i < 500 && (await Promise.all(reads)).at(-1) !== 'completed'; i += 1)
      await sleep(20);
    await feed.close();
    expect(reads.length).toBeGreaterThan(2);
    expect(await Promise.all(reads)).not.toContain(undefined);
    expect((await Promise.all(reads)).at(-1)).toBe('completed');
  });
});

describe('ProgressWorker on a Redis Cluster of 3 masters', () => {
  it('writes the records of its jobs through its default store, a duplicate of the Cluster connection', async () => {
    // BullMQ needs its keys in one slot on a Cluster: a hash-tagged queue prefix.
    const bullPrefix = `{${uniquePrefix('bull')}}`;
    const workerConnection = new Cluster([...cluster.nodes], {
      redisOptions: { maxRetriesPerRequest: null },
    });
    const queue = new Queue('cluster-jobs', { connection, prefix: bullPrefix });
    const events = new QueueEvents('cluster-jobs', {
      connection: workerConnection.duplicate(),
      prefix: bullPrefix,
    });
    const worker = new ProgressWorker(
      'cluster-jobs',
      async (job, progress) => {
        progress.total = 20;
        for (let i = 0; i < 20; i += 1) {
          await sleep(5);
          progress.tick();
        }
        return job.id;
      },
      {
        connection: workerConnection,
        prefix: bullPrefix,
        concurrency: 10,
        progress: { intervalMs: 20 },
      },
    );
    try {
      await events.waitUntilReady();
      const jobs = await queue.addBulk(
        Array.from({ length: 24 }, (_, i) => ({
          name: 'x',
          data: { progressrusScope: ['org', i % 8] },
        })),
      );
      await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 30_000)));
      await worker.close();

      // The default store's prefix; its scope hashes spread over the masters.
      const store = new RedisStore({ connection });
      for (let org = 0; org < 8; org += 1) {
        const ticks = await store.scope(['org', org]);
        expect(ticks).toHaveLength(3);
        for (const tick of ticks)
          expect(tick).toMatchObject({ status: 'completed', count: 20, total: 20, attempt: 1 });
      }
      expect((await store.scopes({ prefix: 'org:' })).items).toHaveLength(8);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await Promise.all([queue.close(), events.close()]);
      await workerConnection.quit();
    }
  }, 60_000);
});
