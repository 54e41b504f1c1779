import { Job, Queue } from 'bullmq';
import { describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { afterThisTest, startWorkerProcess, until } from './worker-process.js';

const redisUrl = inject('redisUrl');
const redis = connectRedis();

function setup() {
  const queueName = uniquePrefix('term-queue');
  const prefix = uniquePrefix('term');
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  afterThisTest(() => queue.obliterate({ force: true }).then(() => queue.close()));
  return { queueName, prefix, queue, store: new RedisStore({ connection: redis, prefix }) };
}

describe('ProgressWorker process on SIGTERM (closeOnSignals)', () => {
  it('lets running jobs finish and writes every final record before it exits', async () => {
    const { queueName, prefix, queue, store } = setup();
    // A long interval: nothing is written while the jobs run, so only the final writes can
    // put their records in the store.
    const worker = await startWorkerProcess(queueName, prefix, { INTERVAL_MS: '60000' });
    const jobs = await queue.addBulk(
      Array.from({ length: 8 }, (_, i) => ({
        name: 'import',
        data: { items: 20, tickMs: 75, progressrusScope: ['term', 1] },
        opts: { jobId: `job-${i}` },
      })),
    );
    // Concurrency 5: five run, three wait.
    await until(
      () => worker.lines.filter((line) => line.startsWith('start ')).length === 5,
      'five jobs running',
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const started = new Set(
      worker.lines.filter((line) => line.startsWith('start ')).map((line) => line.slice(6)),
    );
    expect(started.size).toBe(5);
    // Read right after the exit, without waiting: whatever the process wrote is there, or never.
    for (const job of jobs) {
      const id = job.id as string;
      const state = await (await Job.fromId(queue, id))?.getState();
      const record = await store.find(['term', 1], `${queueName}:${id}`);
      if (started.has(id)) {
        expect(state, id).toBe('completed');
        expect(record, id).toMatchObject({ status: 'completed', count: 20, total: 20 });
      } else {
        expect(state, id).toBe('waiting');
        expect(record, id).toBeNull();
      }
    }
    expect(worker.lines).toContain('shutdown closed');
  }, 60_000);

  it('stops waiting after its timeout, writes the progress so far, and BullMQ gives the job to another worker', async () => {
    const { queueName, prefix, queue, store } = setup();
    const first = await startWorkerProcess(queueName, prefix, {
      INTERVAL_MS: '60000',
      CLOSE_TIMEOUT_MS: '300',
    });
    const job = await queue.add(
      'import',
      { items: 60, tickMs: 50, progressrusScope: ['term', 2] },
      { jobId: 'long' },
    );
    const id = `${queueName}:long`;
    await until(() => first.lines.includes('tick long 20'), 'twenty ticks');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(1);
    expect(first.lines).toContain('shutdown timed-out');
    // Nothing was written during the job (60 s interval): this is the flush before the exit.
    const left = await store.find(['term', 2], id);
    expect(left?.count).toBeGreaterThanOrEqual(20);
    expect(left?.count).toBeLessThan(60);
    expect(left?.finished).toBe(false);
    expect(await job.getState()).toBe('active');

    // Its lock expires, the stall check of another worker moves it back, and that one runs it.
    const second = await startWorkerProcess(queueName, prefix);
    await until(() => second.done.find((line) => line.startsWith('done long ')), 'the second run');
    const tick = await until(
      () => store.find(['term', 2], id).then((t) => (t?.finished ? t : null)),
      'completed',
    );
    expect(tick).toMatchObject({ status: 'completed', count: 60, total: 60, attempt: 2 });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
