import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { sleep, uniquePrefix } from '../helpers.js';
import { MASTER_NAME, startRedisSentinel } from './sentinel-setup.js';
import { afterThisTest, startWorkerProcess, until, type WorkerProcess } from './worker-process.js';

const QUEUE = 'failover';
const PREFIX = 'failover';
const JOBS = 200;
const SCOPES = 10;

interface PlannedJob {
  readonly items: number;
  readonly tickMs: number;
  readonly failAttempts: number;
  readonly progressrusScope: readonly [string, number];
}

/**
 * 1.5–5.5 s of ticks per job, so that jobs end before, during and after the failover; one in
 * ten fails half-way, for good (a single attempt).
 */
function plan(index: number): PlannedJob {
  return {
    items: 15 + ((index * 7) % 41),
    tickMs: 100,
    failAttempts: index % 10 === 3 ? 1 : 0,
    progressrusScope: ['failover', index % SCOPES],
  };
}

describe('Redis Sentinel failover', () => {
  it('ends with every record equal to its BullMQ job when the primary is SIGKILLed while 200 jobs tick', async () => {
    const setup = await startRedisSentinel();
    afterThisTest(() => setup.stop());
    // The store and BullMQ alike connect through the sentinels, never to a fixed address.
    const sentinel = { sentinels: [...setup.addresses], name: MASTER_NAME };
    const connection = new Redis({ ...sentinel, maxRetriesPerRequest: null });
    connection.on('error', () => {});
    afterThisTest(async () => connection.disconnect());
    const queue = new Queue(QUEUE, { connection });
    queue.on('error', () => {});
    afterThisTest(() => queue.close().catch(() => {}));
    const store = new RedisStore({ connection, prefix: PREFIX });

    const env = {
      SENTINELS: setup.addresses.map(({ host, port }) => `${host}:${port}`).join(','),
      SENTINEL_NAME: MASTER_NAME,
      CONCURRENCY: String(JOBS / 2),
      INTERVAL_MS: '200',
      // BullMQ's default locks: a failover of a few seconds must not make jobs stall.
      LOCK_DURATION_MS: '30000',
      STALLED_INTERVAL_MS: '30000',
      // ioredis holds a command over about 10 s of reconnections (20 by default), then fails it:
      // Sentinel's default down-after-milliseconds alone is 30 s. Failing it at once makes this
      // test's few-second failover outlast ioredis too, so the Progresser's retries carry the
      // writes (with ioredis' default, they land on its resends, none failing).
      STORE_MAX_RETRIES: '0',
    };
    const workers = await Promise.all([
      startWorkerProcess(QUEUE, PREFIX, env),
      startWorkerProcess(QUEUE, PREFIX, env),
    ]);
    const lines = (prefix: string) =>
      workers.flatMap((worker: WorkerProcess) =>
        worker.lines.filter((line) => line.startsWith(prefix)),
      );

    await queue.addBulk(
      Array.from({ length: JOBS }, (_, i) => ({
        name: 'failover',
        data: plan(i),
        opts: { jobId: `job-${i}`, attempts: 1 },
      })),
    );
    // Every job runs, and the shortest have just completed: the next ones end in the outage.
    await until(() => lines('start ').length === JOBS, 'every job to start', 60_000);
    await until(() => lines('done ').length > 0, 'the first job to complete', 60_000);
    const before = { done: lines('done ').length, errors: lines('store-error ').length };

    const killedAt = Date.now();
    process.kill(setup.primary.pid, 'SIGKILL');
    await until(
      async () => (await setup.masterPort()) === setup.replica.port,
      'the replica to be promoted',
      60_000,
    );
    const failoverMs = Date.now() - killedAt;

    await until(
      async () => {
        const counts = await queue.getJobCounts('completed', 'failed');
        return (counts.completed ?? 0) + (counts.failed ?? 0) === JOBS;
      },
      'every job to finish',
      120_000,
    );
    // A final write that outlived ProgressWorker's wait for it (5 s) lands after BullMQ's.
    let mismatches = await compare(queue, store);
    for (const deadline = Date.now() + 15_000; mismatches.length > 0 && Date.now() < deadline; ) {
      await sleep(250);
      mismatches = await compare(queue, store);
    }
    const counts = await queue.getJobCounts('completed', 'failed');
    const retried = lines('store-error ').length;
    console.log(
      `sentinel failover: ${JOBS} jobs (${counts.completed} completed, ${counts.failed} failed), primary SIGKILLed with ${JOBS - before.done} running, replica promoted after ${(failoverMs / 1000).toFixed(1)} s, ${retried} failed writes retried, ${mismatches.length} mismatches`,
    );

    expect(before.errors).toBe(0);
    // Writes were in flight at the failover, and failed: the test saw what it is about.
    expect(retried).toBeGreaterThan(0);
    expect(counts).toEqual({ completed: JOBS - JOBS / 10, failed: JOBS / 10 });
    expect(mismatches).toEqual([]);
  }, 300_000);
});

describe('RedisStore on a primary with min-replicas-to-write', () => {
  it('retries a final write refused for want of a replica until one is back', async () => {
    const primary = await startRedisServer({
      args: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10'],
    });
    afterThisTest(() => primary.stop());
    const connection = new Redis(primary.url);
    afterThisTest(async () => connection.disconnect());
    const store = new RedisStore({ connection, prefix: uniquePrefix('min-replicas') });
    const errors: Error[] = [];
    const progress = new Progresser({
      scope: ['replicas'],
      id: 'job',
      total: 3,
      store,
      onError: (error) => errors.push(error),
    });
    progress.tick(3);
    void progress.complete();
    await until(
      () => errors.some((error) => error.message.includes('NOREPLICAS')),
      'a write refused with NOREPLICAS',
    );
    expect(await store.find(['replicas'], 'job')).toBeNull();

    const replica = await startRedisServer({
      args: ['--replicaof', '127.0.0.1', String(primary.port), '--repl-diskless-sync-delay', '0'],
    });
    afterThisTest(() => replica.stop());
    const written = await until(
      () => store.find(['replicas'], 'job'),
      'the write to land once a replica is in sync',
    );
    expect([written.status, written.count]).toEqual(['completed', 3]);
  });
});

/** Every job against its record: the same final state and the same final count. */
async function compare(queue: Queue, store: RedisStore): Promise<string[]> {
  const finished = new Map<string, { state: string; job: Job }>();
  for (const state of ['completed', 'failed'] as const) {
    for (const job of await queue.getJobs([state], 0, -1))
      finished.set(job.id as string, { state, job });
  }
  const mismatches: string[] = [];
  for (let i = 0; i < JOBS; i += 1) {
    const planned = plan(i);
    const bull = finished.get(`job-${i}`);
    const record = await store.find(planned.progressrusScope, `${QUEUE}:job-${i}`);
    // A job that failed half-way stopped at the tick it failed on.
    const count = bull?.state === 'failed' ? Math.ceil(planned.items / 2) : planned.items;
    if (bull === undefined) mismatches.push(`job-${i}: not finished in BullMQ`);
    else if (record === null) mismatches.push(`job-${i}: ${bull.state} in BullMQ, no record`);
    else if (record.status !== bull.state || record.count !== count)
      mismatches.push(
        `job-${i}: ${bull.state} with count ${count} in BullMQ, ${record.status} with count ${record.count} in its record`,
      );
  }
  return mismatches;
}
