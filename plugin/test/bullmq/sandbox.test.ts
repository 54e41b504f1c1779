import { fileURLToPath } from 'node:url';
import { type Job, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { JobActions, ProgressWorker } from '../../src/bullmq/index.js';
import { type ProgressRecord, RedisStore } from '../../src/index.js';
import { bullmqContext, finishedRecord, until } from './bullmq-context.js';

const processorFile = fileURLToPath(new URL('./fixtures/ticking-processor.js', import.meta.url));

/** A RedisStore that also keeps every count it wrote. */
class CountingStore extends RedisStore {
  readonly counts: number[] = [];
  override persist(record: ProgressRecord): Promise<void> {
    this.counts.push(record.count);
    return super.persist(record);
  }
}

describe('ProgressWorker with a sandboxed processor', () => {
  const ctx = bullmqContext();

  function sandboxedWorker(queueName: string): CountingStore {
    const store = new CountingStore({ connection: ctx.redis, prefix: `${queueName}-records` });
    const worker = new ProgressWorker(queueName, processorFile, {
      connection: ctx.connection,
      // The library runs from TypeScript source in tests, so the child needs a TypeScript loader.
      workerForkOptions: { execArgv: ['--import', 'tsx'] },
      progress: { store, intervalMs: 50 },
    });
    ctx.onCleanup(() => worker.close());
    return store;
  }

  async function finished(queueName: string, job: Job): Promise<unknown> {
    // From the stream's start, not '$': a job that ends between BullMQ's own finished-check
    // and the first XREAD would otherwise never be reported (the queue is this test's own).
    const events = new QueueEvents(queueName, {
      connection: { url: ctx.redisUrl },
      lastEventId: '0',
    });
    ctx.onCleanup(() => events.close());
    await events.waitUntilReady();
    return job.waitUntilFinished(events, 20_000);
  }

  it('gives the processor file a Progresser whose ticks reach the record while it runs, and completes it', async () => {
    const queue = ctx.queue('sandbox');
    const store = sandboxedWorker(queue.name);
    const job = await queue.add('crunch', { items: 1000, pauseMs: 40 });
    const result = (await finished(queue.name, job)) as { pid: number; count: number };
    expect(result.pid).not.toBe(process.pid);
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'completed',
      count: 1000,
      total: 1000,
      attempt: 1,
      name: 'crunch',
    });
    // Counts written while the child was still working, not just the last one.
    expect(store.counts.filter((count) => count > 0 && count < 1000).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('fails the record at once when the child throws an UnrecoverableError', async () => {
    const queue = ctx.queue('sandbox-fail');
    const store = sandboxedWorker(queue.name);
    const job = await queue.add('crunch', { fail: 'unrecoverable' }, { attempts: 3 });
    await expect(finished(queue.name, job)).rejects.toThrow('bad input in the child');
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'failed',
      errorMessage: 'bad input in the child',
      attempt: 1,
    });
  });

  it('stops a sandboxed processor through the AbortSignal BullMQ forwards to the child: the record reads cancelled, no retry', async () => {
    const queue = ctx.queue('sandbox-cancel');
    const store = sandboxedWorker(queue.name);
    const actions = new JobActions({ store, connection: ctx.redis });
    ctx.onCleanup(() => actions.close());
    const job = await queue.add('endless', { untilAborted: true }, { attempts: 3 });
    const scope = ['queue', queue.name];
    const id = `${queue.name}:${job.id}`;
    // Counts relayed from the child: the processor works in its own process.
    await until(async () => ((await store.find(scope, id))?.count ?? 0) > 0);
    expect(await actions.act('cancel', scope, id)).toMatchObject({ outcome: 'cancel-requested' });
    await expect(finished(queue.name, job)).rejects.toThrow(/^Cancelled/);
    const tick = await finishedRecord(store, scope, id);
    expect(tick.status).toBe('cancelled');
    expect(tick.actions.map((action) => action.action)).toEqual(['cancel']);
    expect((await queue.getJob(job.id as string))?.attemptsMade).toBe(1);
  });
});
