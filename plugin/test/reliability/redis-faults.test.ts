import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { ProgressWorker } from '../../src/bullmq/index.js';
import { Progresser, RedisStore, type Tick } from '../../src/index.js';
import { type RedisServer, startRedisServer } from '../../src/testing/redis-server.js';
import { sleep, uniquePrefix } from '../helpers.js';

/**
 * The progress Redis of these tests is a server of their own, SIGKILLed and restarted on the
 * same port (empty: no persistence), as a crashed Redis would be. BullMQ, where it takes
 * part, uses the run's server, which stays up.
 */
let server: RedisServer;
let connection: Redis;
let store: RedisStore;
let prefix: string;
const errors: Error[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  server = await startRedisServer();
  // ioredis's defaults: commands wait in the offline queue and the client reconnects by itself.
  connection = new Redis(server.url);
  connection.on('error', () => {});
  prefix = uniquePrefix('faults');
  store = new RedisStore({ connection, prefix });
  errors.length = 0;
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  process.off('unhandledRejection', onUnhandled);
  connection.disconnect();
  await server.stop();
});

async function killRedis(): Promise<void> {
  process.kill(server.pid, 'SIGKILL');
  await server.stop();
}

async function restartRedis(): Promise<void> {
  server = await startRedisServer({ port: server.port });
}

/** Polls until every record of `ids` in `scope` reads finished; returns them. */
async function finished(
  scope: (string | number)[],
  ids: string[],
  timeoutMs = 20_000,
): Promise<Tick[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ticks = await store.scope(scope).catch(() => []);
    const done = ticks.filter((tick) => ids.includes(tick.id) && tick.finished);
    if (done.length === ids.length) return done;
    if (Date.now() > deadline) throw new Error(`${done.length} of ${ids.length} records finished`);
    await sleep(50);
  }
}

describe('Progresser and RedisStore when redis-server is SIGKILLed', () => {
  it('keeps ticking without a throw and writes every final state once Redis is back', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => ({
      progress: new Progresser({
        scope: ['tenant', i % 4],
        id: `job-${i}`,
        total: 60,
        store,
        intervalMs: 50,
        finalWriteTimeoutMs: 300,
        onError: (error) => errors.push(error),
      }),
    }));
    let killed: Promise<void> | null = null;
    const running = jobs.map(async ({ progress }) => {
      for (let n = 0; n < 60; n += 1) {
        expect(() => progress.tick()).not.toThrow();
        await sleep(10);
        if (n === 20) killed ??= killRedis();
      }
      // Resolves after finalWriteTimeoutMs, unwritten: Redis is still down.
      await progress.complete();
    });
    await Promise.all(running);
    await killed;
    await restartRedis();

    expect(errors.some((error) => /Gave up waiting for record/.test(error.message))).toBe(true);
    for (let tenant = 0; tenant < 4; tenant += 1) {
      const ids = jobs.map((_, i) => `job-${i}`).filter((_, i) => i % 4 === tenant);
      for (const tick of await finished(['tenant', tenant], ids)) {
        expect(tick).toMatchObject({ status: 'completed', count: 60, total: 60 });
      }
    }
    // The restarted server was empty: the indexes came back with the writes.
    expect((await store.scopes()).items.map((item) => item.key).sort()).toEqual([
      'tenant:0',
      'tenant:1',
      'tenant:2',
      'tenant:3',
    ]);
    // One expiry entry per scope; the counts agree with the records.
    expect(await connection.zcard(store.keys.expiries)).toBe(4);
    const page = await store.jobs(['tenant', 0]);
    expect(page.counts.completed).toBe(page.total);
    expect(page.total).toBe(jobs.filter((_, i) => i % 4 === 0).length);
    expect(unhandled).toEqual([]);
  }, 60_000);
});

describe('ProgressWorker when its progress Redis fails', () => {
  const bullmq = { url: inject('redisUrl'), maxRetriesPerRequest: null };

  function startWorker(
    queueName: string,
    onItem?: (job: { data: { items: number } }, i: number) => Promise<void>,
  ) {
    const worker = new ProgressWorker(
      queueName,
      async (job, progress) => {
        const { items } = job.data as { items: number };
        progress.total = items;
        for (let i = 0; i < items; i += 1) {
          await sleep(10);
          progress.tick();
          await onItem?.(job, i);
        }
      },
      {
        connection: bullmq,
        concurrency: 5,
        progress: { store, intervalMs: 50, mirror: false, onError: (error) => errors.push(error) },
      },
    );
    worker.on('error', () => {});
    let closed = false;
    cleanups.push(() => (closed ? Promise.resolve() : worker.close(true)));
    return {
      worker,
      close: async () => {
        closed = true;
        await worker.close();
      },
    };
  }

  function queue(): { queue: Queue; events: QueueEvents } {
    const name = uniquePrefix('faults-queue');
    const queue = new Queue(name, { connection: bullmq });
    const events = new QueueEvents(name, { connection: bullmq });
    cleanups.push(() =>
      queue.obliterate({ force: true }).then(() => Promise.all([queue.close(), events.close()])),
    );
    return { queue, events };
  }

  it('finishes its jobs while the progress Redis is down and writes their final states once it is back', async () => {
    const { queue: jobsQueue, events } = queue();
    await events.waitUntilReady();
    let killed: Promise<void> | null = null;
    startWorker(jobsQueue.name, async (_job, i) => {
      if (i === 10) killed ??= killRedis();
    });
    const jobs = await jobsQueue.addBulk(
      Array.from({ length: 10 }, (_, i) => ({
        name: 'x',
        data: { items: 30, progressrusScope: ['shop', i % 2] },
      })),
    );
    // BullMQ, which stays up, completes every job while the progress store is unreachable.
    await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 30_000)));
    await killed;
    await restartRedis();
    for (const shop of [0, 1]) {
      const ids = jobs.filter((_, i) => i % 2 === shop).map((job) => `${jobsQueue.name}:${job.id}`);
      for (const tick of await finished(['shop', shop], ids))
        expect(tick).toMatchObject({ status: 'completed', count: 30 });
    }
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('does not hold a job whose final write cannot go through, and close() waits for that write', async () => {
    const { queue: jobsQueue, events } = queue();
    await events.waitUntilReady();
    const { close } = startWorker(jobsQueue.name, async (_job, i) => {
      // Redis dies on the last item: only the final state is left to write.
      if (i === 4) await killRedis();
    });
    const job = await jobsQueue.add('x', { items: 5, progressrusScope: ['close', 1] });
    // The job is done in BullMQ although its final state cannot be written.
    await job.waitUntilFinished(events, 30_000);

    let closed = false;
    const closing = close().then(() => {
      closed = true;
    });
    await sleep(300);
    expect(closed).toBe(false);
    await restartRedis();
    await closing;
    // No polling, and another connection: close() returned only once the final write was in.
    const reader = new Redis(server.url);
    const tick = await new RedisStore({ connection: reader, prefix })
      .find(['close', 1], `${jobsQueue.name}:${job.id}`)
      .finally(() => reader.disconnect());
    expect(tick).toMatchObject({ status: 'completed', count: 5 });
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('returns from close() after its bound when the progress Redis never comes back', async () => {
    const { queue: jobsQueue, events } = queue();
    await events.waitUntilReady();
    const { close } = startWorker(jobsQueue.name, async (_job, i) => {
      if (i === 4) await killRedis();
    });
    const job = await jobsQueue.add('x', { items: 5, progressrusScope: ['close', 2] });
    await job.waitUntilFinished(events, 30_000);
    // Resolves although the write cannot land (the test would time out otherwise).
    await close();
    expect(errors.some((error) => /Gave up waiting for record/.test(error.message))).toBe(true);
    expect(unhandled).toEqual([]);
  }, 60_000);
});
