import { Job, Queue } from 'bullmq';
import { describe, expect, inject, it } from 'vitest';
import { RedisStore, type Tick } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { afterThisTest, startWorkerProcess, until } from './worker-process.js';

const redisUrl = inject('redisUrl');
const redis = connectRedis();

function setup() {
  const queueName = uniquePrefix('proc-queue');
  const prefix = uniquePrefix('proc');
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  afterThisTest(() => queue.obliterate({ force: true }).then(() => queue.close()));
  return { queueName, prefix, queue, store: new RedisStore({ connection: redis, prefix }) };
}

describe('ProgressWorker in worker processes', () => {
  it('reads stalled when its worker is SIGKILLed mid-job, then completes when BullMQ runs the job again', async () => {
    const { queueName, prefix, queue, store } = setup();
    const first = await startWorkerProcess(queueName, prefix);
    const job = await queue.add('import', {
      items: 40,
      tickMs: 50,
      progressrusScope: ['crash', 1],
    });
    const id = `${queueName}:${job.id}`;

    const running = await until(
      () => store.find(['crash', 1], id).then((tick) => (tick && tick.count >= 5 ? tick : null)),
      'ticks',
    );
    expect(running).toMatchObject({ status: 'running', attempt: 1 });
    first.child.kill('SIGKILL');

    // No one writes any more: the record turns stalled by itself, 3 intervals after its last write.
    const stalled = await until(
      () => store.find(['crash', 1], id).then((tick) => (tick?.status === 'stalled' ? tick : null)),
      'stalled',
    );
    expect(stalled.count).toBeLessThan(40);

    const second = await startWorkerProcess(queueName, prefix);
    await until(
      async () => second.done.find((line) => line.startsWith(`done ${job.id} `)),
      'the second run',
    );
    expect(second.done).toEqual([`done ${job.id} 2`]);
    expect((await Job.fromId(queue, job.id as string))?.attemptsStarted).toBe(2);
    const tick = await until(
      () => store.find(['crash', 1], id).then((t) => (t?.finished ? t : null)),
      'completed',
    );
    expect(tick).toMatchObject({ attempt: 2, status: 'completed', count: 40, total: 40 });
  }, 60_000);

  it('shares scopes between two worker processes without losing a record', async () => {
    const { queueName, prefix, queue, store } = setup();
    const workers = await Promise.all([
      startWorkerProcess(queueName, prefix),
      startWorkerProcess(queueName, prefix),
    ]);
    const jobs = await queue.addBulk(
      Array.from({ length: 30 }, (_, i) => ({
        name: 'x',
        data: { items: 10, tickMs: 20, progressrusScope: ['shared', i % 3] },
      })),
    );
    await until(async () => workers[0].done.length + workers[1].done.length === 30, 'all jobs');
    // Both processes took jobs, and wrote records into the same three hashes.
    expect(workers[0].done.length).toBeGreaterThan(0);
    expect(workers[1].done.length).toBeGreaterThan(0);

    const ticks: Tick[] = [];
    for (const shared of [0, 1, 2]) {
      const scope = await until(
        () =>
          store
            .scope(['shared', shared])
            .then((all) => (all.length === 10 && all.every((t) => t.finished) ? all : null)),
        `scope shared:${shared}`,
      );
      ticks.push(...scope);
    }
    expect(ticks.map((tick) => tick.id).sort()).toEqual(
      jobs.map((job) => `${queueName}:${job.id}`).sort(),
    );
    for (const tick of ticks)
      expect(tick).toMatchObject({ status: 'completed', count: 10, total: 10 });
    expect(
      (await store.scopes({ prefix: 'shared:' })).items.map((item) => item.key).sort(),
    ).toEqual(['shared:0', 'shared:1', 'shared:2']);
  }, 60_000);
});
