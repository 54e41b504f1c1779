import { fileURLToPath } from 'node:url';
import { type Job, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { ProgressWorker } from '../../src/bullmq/index.js';
import { bullmqContext, finishedRecord } from './bullmq-context.js';

const processorFile = fileURLToPath(new URL('./fixtures/ticking-processor.js', import.meta.url));

describe('ProgressWorker with a sandboxed processor', () => {
  const ctx = bullmqContext();

  function sandboxedWorker(queueName: string): ProgressWorker {
    const store = ctx.store();
    const worker = new ProgressWorker(queueName, processorFile, {
      connection: ctx.connection,
      // The library runs from TypeScript source in tests, so the child needs a TypeScript loader.
      workerForkOptions: { execArgv: ['--import', 'tsx'] },
      progress: { store, intervalMs: 50 },
    });
    ctx.onCleanup(() => worker.close());
    return Object.assign(worker, { store });
  }

  async function finished(queueName: string, job: Job): Promise<unknown> {
    const events = new QueueEvents(queueName, { connection: { url: ctx.redisUrl } });
    ctx.onCleanup(() => events.close());
    await events.waitUntilReady();
    return job.waitUntilFinished(events, 20_000);
  }

  it('gives the processor file a Progresser whose ticks reach the record, which completes', async () => {
    const queue = ctx.queue('sandbox');
    const worker = sandboxedWorker(queue.name);
    const job = await queue.add('crunch', { items: 1000 });
    const result = (await finished(queue.name, job)) as { pid: number; count: number };
    expect(result.pid).not.toBe(process.pid);
    expect(result.count).toBe(1000);
    const { store } = worker as ProgressWorker & { store: import('../../src/index.js').RedisStore };
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'completed',
      count: 1000,
      total: 1000,
      attempt: 1,
      name: 'crunch',
    });
  });

  it('fails the record at once when the child throws an UnrecoverableError', async () => {
    const queue = ctx.queue('sandbox-fail');
    const worker = sandboxedWorker(queue.name);
    const job = await queue.add('crunch', { fail: 'unrecoverable' }, { attempts: 3 });
    await expect(finished(queue.name, job)).rejects.toThrow('bad input in the child');
    const { store } = worker as ProgressWorker & { store: import('../../src/index.js').RedisStore };
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'failed',
      errorMessage: 'bad input in the child',
      attempt: 1,
    });
  });
});
