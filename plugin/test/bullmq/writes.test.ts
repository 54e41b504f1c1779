import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  type ProgressProcessor,
  ProgressWorker,
  type ProgressWorkerOptions,
} from '../../src/bullmq/index.js';
import { type ProgressRecord, RedisStore, type Store, type StoreWriter } from '../../src/index.js';
import { sleep, uniquePrefix } from '../helpers.js';
import { bullmqContext, finishedRecord, until } from './bullmq-context.js';
import { monitorRedis } from './redis-monitor.js';

/** A store whose writes take `delayMs` longer, as over a slow network. */
class SlowStore extends RedisStore {
  constructor(
    options: ConstructorParameters<typeof RedisStore>[0],
    readonly delayMs: number,
  ) {
    super(options);
  }
  override async persist(record: ProgressRecord): Promise<void> {
    await sleep(this.delayMs);
    return super.persist(record);
  }
}

describe('ProgressWorker writes', () => {
  const ctx = bullmqContext();

  function worker(
    queueName: string,
    processor: ProgressProcessor | string,
    options: Partial<ProgressWorkerOptions> = {},
  ) {
    const created = new ProgressWorker(queueName, processor, {
      connection: ctx.connection,
      ...options,
    });
    ctx.onCleanup(() => created.close());
    return created;
  }

  it('writes a job that ticks 100,000 times at most duration / interval + 3 times, and mirrors it at that pace', async () => {
    const queue = ctx.queue('hundred-k');
    const store = ctx.store();
    const intervalMs = 50;
    const recordKey = store.keys.scope(`queue:${queue.name}`);
    const jobKey = `bull:${queue.name}:big`;
    const commands = await monitorRedis(
      ctx.redisUrl,
      ({ args }) => args[0] === 'hset' && (args[1] === recordKey || args[1] === jobKey),
    );
    ctx.onCleanup(commands.stop);
    let durationMs = 0;
    worker(
      queue.name,
      async (_job, progress) => {
        const startedAt = Date.now();
        progress.total = 100_000;
        for (let batch = 0; batch < 100; batch += 1) {
          for (let item = 0; item < 1000; item += 1) progress.tick();
          await sleep(5);
        }
        durationMs = Date.now() - startedAt;
      },
      { progress: { store, intervalMs } },
    );
    const job = await queue.add('big', {}, { jobId: 'big' });
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:big`);
    await sleep(100);
    expect(tick).toMatchObject({ status: 'completed', count: 100_000 });
    const recordWrites = commands.count(({ args }) => args[1] === recordKey);
    const progressWrites = commands.count(
      ({ args }) => args[1] === jobKey && args[2] === 'progress',
    );
    const bound = durationMs / intervalMs + 3;
    expect(recordWrites).toBeGreaterThanOrEqual(3);
    expect(recordWrites).toBeLessThanOrEqual(bound);
    // Mirrored to BullMQ's own progress, at the same pace, ending at 100.
    expect(progressWrites).toBeGreaterThanOrEqual(2);
    expect(progressWrites).toBeLessThanOrEqual(bound);
    expect((await queue.getJob(job.id ?? ''))?.progress).toBe(100);
  });

  it('leaves BullMQ job progress alone when the mirror is off', async () => {
    const queue = ctx.queue('no-mirror');
    const store = ctx.store();
    const jobKey = `bull:${queue.name}:quiet`;
    const commands = await monitorRedis(
      ctx.redisUrl,
      ({ args }) => args[0] === 'hset' && args[1] === jobKey && args[2] === 'progress',
    );
    ctx.onCleanup(commands.stop);
    worker(
      queue.name,
      async (_job, progress) => {
        progress.total = 100;
        for (let item = 0; item < 100; item += 1) {
          progress.tick();
          await sleep(3);
        }
      },
      { progress: { store, intervalMs: 20, mirror: false } },
    );
    const job = await queue.add('quiet', {}, { jobId: 'quiet' });
    await finishedRecord(store, ['queue', queue.name], `${queue.name}:quiet`);
    expect(commands.seen).toHaveLength(0);
    expect((await queue.getJob(job.id ?? ''))?.progress).toBe(0);
  });

  it('writes a job that ends within one interval once, at its end, whether it ticks or not', async () => {
    const queue = ctx.queue('short');
    const store = ctx.store();
    const recordKey = store.keys.scope(`queue:${queue.name}`);
    const commands = await monitorRedis(
      ctx.redisUrl,
      ({ args }) => args[0] === 'hset' && args[1] === recordKey,
    );
    ctx.onCleanup(commands.stop);
    worker(
      queue.name,
      async (job, progress) => {
        if (job.data.tick) progress.tick(job.data.tick);
      },
      { progress: { store, intervalMs: 10_000 }, concurrency: 10 },
    );
    await queue.addBulk([
      ...Array.from({ length: 10 }, (_, i) => ({
        name: 'idle',
        data: {},
        opts: { jobId: `idle-${i}` },
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        name: 'ticking',
        data: { tick: 3 },
        opts: { jobId: `ticking-${i}` },
      })),
    ]);
    await until(
      async () =>
        (await store.scope(['queue', queue.name])).filter((tick) => tick.finished).length === 20,
    );
    await sleep(100);
    // An HSET carries every record of its scope written in one batch: count the fields.
    const writesOf = (id: string) =>
      commands.seen.reduce(
        (total, { args }) =>
          total + fieldsOf(args).filter((field) => field === `${queue.name}:${id}`).length,
        0,
      );
    for (let i = 0; i < 10; i += 1) {
      expect(writesOf(`idle-${i}`)).toBe(1);
      expect(writesOf(`ticking-${i}`)).toBe(1);
    }
  });

  it('coalesces the writes of 50 concurrent jobs into a few round trips', async () => {
    const queue = ctx.queue('concurrent');
    const connection = new Redis(ctx.redisUrl);
    ctx.onCleanup(() => connection.quit());
    await connection.ping();
    const store = new RedisStore({ connection, prefix: uniquePrefix('bullmq') });
    const source = `127.0.0.1:${connection.stream.localPort}`;
    const recordKey = store.keys.scope(`queue:${queue.name}`);
    // The round trips are the store's script calls; the HSETs run inside them.
    const commands = await monitorRedis(
      ctx.redisUrl,
      ({ args, source: from }) =>
        (from === source && (args[0] === 'evalsha' || args[0] === 'eval')) ||
        (args[0] === 'hset' && args[1] === recordKey),
    );
    ctx.onCleanup(commands.stop);
    let arrived = 0;
    let release: () => void = () => {};
    const allArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.addBulk(
      Array.from({ length: 50 }, (_, i) => ({ name: 'x', data: {}, opts: { jobId: `j${i}` } })),
    );
    worker(
      queue.name,
      async (_job, progress) => {
        arrived += 1;
        if (arrived === 50) release();
        // Every job is active at once before any of them ticks.
        await allArrived;
        progress.tick(10);
      },
      { concurrency: 50, progress: { store, intervalMs: 10_000 } },
    );
    await until(
      async () =>
        (await store.scope(['queue', queue.name])).filter((tick) => tick.finished).length === 50,
    );
    await sleep(100);
    const recordWrites = commands.seen
      .filter(({ args }) => args[0] === 'hset')
      .reduce((total, { args }) => total + fieldsOf(args).length, 0);
    const roundTrips = commands.count(({ args }) => args[0] === 'evalsha');
    // One write per job (its end, as each ends within one interval), in a handful of script calls.
    expect(recordWrites).toBe(50);
    expect(roundTrips).toBeLessThanOrEqual(5);
  });

  it('writes the completed record before BullMQ marks the job finished, even through a slow store', async () => {
    const queue = ctx.queue('close');
    const connection = new Redis(ctx.redisUrl);
    ctx.onCleanup(() => connection.quit());
    const store: Store = new SlowStore({ connection, prefix: uniquePrefix('bullmq') }, 1000);
    const closing = new ProgressWorker(
      queue.name,
      async (_job, progress) => {
        progress.tick(5);
      },
      { connection: ctx.connection, progress: { store } },
    );
    const job = await queue.add('x', {});
    await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn);
    // A process killed right after BullMQ's completion must not leave the record running: it
    // is already written when BullMQ has the job finished.
    expect(await store.find(['queue', queue.name], `${queue.name}:${job.id}`)).toMatchObject({
      status: 'completed',
      count: 5,
    });
    await closing.close();
  });

  it('tells BullMQ a job completed when its last write hangs, after a bounded wait, and flush() waits for that write', async () => {
    const queue = ctx.queue('hang');
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const written: ProgressRecord[] = [];
    // A store that does not answer while BullMQ's Redis does (a store of its own, down).
    const store: StoreWriter = {
      persist: async (record) => {
        await released;
        written.push(record);
      },
    };
    const errors: Error[] = [];
    const hanging = worker(queue.name, async () => {}, {
      progress: { store, onError: (error) => errors.push(error) },
    });
    const job = await queue.add('x', {});
    await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn, 20_000);
    expect(written).toEqual([]);
    expect(errors.map((error) => error.message)).toEqual([
      `Gave up waiting for record "${queue.name}:${job.id}" to be written after 5000 ms; still retrying in the background`,
    ]);
    const flushed = hanging.flush();
    release();
    await flushed;
    expect(written).toMatchObject([{ id: `${queue.name}:${job.id}`, completedAt: expect.any(Date) }]);
  });
});

/** The fields of an `HSET key field value [field value …]`. */
function fieldsOf(args: readonly string[]): string[] {
  return args.slice(2).filter((_, index) => index % 2 === 0);
}
