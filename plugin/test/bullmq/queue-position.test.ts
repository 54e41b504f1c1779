import { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { queuePosition } from '../../src/bullmq/index.js';
import { bullmqContext, until } from './bullmq-context.js';

describe('queuePosition', () => {
  const ctx = bullmqContext();

  it('counts a waiting job from the end workers take, prioritized jobs after every waiting one', async () => {
    const queue = ctx.queue('position');
    const waiting = await queue.addBulk(['a', 'b', 'c', 'd'].map((name) => ({ name, data: {} })));
    const urgent = await queue.add('urgent', {}, { priority: 1 });
    const later = await queue.add('later', {}, { priority: 5 });
    const positions = await Promise.all(
      [...waiting, urgent, later].map(async (job) => (await queuePosition(queue, job.id as string))?.position),
    );
    expect(positions).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await queuePosition(queue, urgent.id as string)).toMatchObject({
      state: 'prioritized',
      ratePerSecond: null,
      expectedStartMs: null,
    });
    expect(await queuePosition(queue, 'no-such-job')).toBeNull();
  });

  it('gives a delayed job its rank among delayed jobs and the end of its delay', async () => {
    const queue = ctx.queue('position-delayed');
    const before = Date.now();
    const soon = await queue.add('soon', {}, { delay: 60_000 });
    const late = await queue.add('late', {}, { delay: 120_000 });
    const where = await queuePosition(queue, late.id as string);
    expect(where).toMatchObject({ state: 'delayed', position: 2 });
    expect(where?.delayedUntilMs).toBeGreaterThanOrEqual(before + 120_000);
    expect(where?.delayedUntilMs).toBeLessThanOrEqual(Date.now() + 120_000);
    expect((await queuePosition(queue, soon.id as string))?.position).toBe(1);
  });

  it('expects a start from the pace of the jobs finished lately, and none once the job runs', async () => {
    const queue = ctx.queue('position-pace');
    await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: `done-${i}`, data: {} })));
    const worker = new Worker(queue.name, async () => {}, { connection: ctx.connection });
    ctx.onCleanup(() => worker.close());
    await until(async () => (await queue.getCompletedCount()) === 20);
    await worker.pause();
    const jobs = await queue.addBulk(['x', 'y', 'z'].map((name) => ({ name, data: {} })));
    const now = Date.now();
    const third = await queuePosition(queue, jobs[2]?.id as string, now);
    expect(third?.position).toBe(3);
    expect(third?.ratePerSecond).toBeGreaterThan(0);
    // 3 jobs at the measured pace: 3 ÷ rate seconds from now.
    expect(third?.expectedStartMs).toBe(Math.round(now + (3 / (third?.ratePerSecond as number)) * 1000));
    const first = await queuePosition(queue, jobs[0]?.id as string, now);
    expect(first?.expectedStartMs).toBeLessThan(third?.expectedStartMs as number);
    worker.resume();
    await until(async () => (await queue.getCompletedCount()) === 23);
    expect(await queuePosition(queue, jobs[2]?.id as string)).toBeNull();
  });
});
