import { FlowProducer } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { ProgressWorker } from '../../src/bullmq/index.js';
import { uniquePrefix } from '../helpers.js';
import { bullmqContext, finishedRecord, until } from './bullmq-context.js';

describe('flow roll-up', () => {
  const ctx = bullmqContext();

  /**
   * A queue of its own for one flow, a FlowProducer, the set of children the test lets finish,
   * and the parent's record once its count reaches `count`.
   */
  function flowQueue(name: string, user: number) {
    const store = ctx.store();
    const scope = ['user', user];
    const flows = new FlowProducer({ connection: { url: ctx.redisUrl } });
    ctx.onCleanup(() => flows.close());
    const parentAt = (id: string, count: number) =>
      until(async () => {
        const tick = await store.find(scope, id);
        return tick?.count === count ? tick : null;
      });
    return { store, queueName: uniquePrefix(name), scope, flows, release: new Set<number>(), parentAt };
  }

  it("moves a flow parent's bar as its children finish: waiting-children with the count of finished children, then completed", async () => {
    const { store, queueName, scope, flows, release, parentAt } = flowQueue('flow', 9);
    const worker = new ProgressWorker(
      queueName,
      async (job, progress) => {
        if (job.name === 'parent') {
          progress.tick(1);
          return 'parent done';
        }
        // Each child waits for the test to let it finish, so the steps can be watched.
        await until(() => release.has(job.data.n as number), 45_000);
        progress.tick(1);
        return job.data.n;
      },
      { connection: ctx.connection, concurrency: 5, progress: { store, intervalMs: 100 } },
    );
    ctx.onCleanup(() => worker.close());
    const flow = await flows.add({
      name: 'parent',
      queueName,
      data: { progressrusScope: scope },
      children: [1, 2, 3].map((n) => ({
        name: `child ${n}`,
        queueName,
        data: { progressrusScope: scope, n },
      })),
    });
    const id = `${queueName}:${flow.job.id}`;
    const seen: string[] = [];
    for (const n of [1, 2]) {
      release.add(n);
      const parent = await parentAt(id, n);
      expect(parent).toMatchObject({
        status: 'waiting-children',
        count: n,
        total: 3,
        name: 'parent',
      });
      seen.push(`${parent.status} ${parent.percentage()?.toFixed(0)}%`);
    }
    release.add(3);
    const done = await finishedRecord(store, scope, id);
    expect(done.status).toBe('completed');
    expect(seen).toEqual(['waiting-children 33%', 'waiting-children 67%']);
  });

  it("sums the children's counts and totals when every child's total is known, a completed child counting in full", async () => {
    const { store, queueName, scope, flows, release, parentAt } = flowQueue('flow-sum', 10);
    const worker = new ProgressWorker(
      queueName,
      async (job, progress) => {
        if (job.name === 'parent') return 'parent done';
        const rows = job.data.rows as number;
        // Half the rows at once; the rest, but one, once released: a completed child of
        // 10 rows that ticked 9 counts 10.
        progress.tick(rows / 2);
        await progress.flush();
        await until(() => release.has(rows), 45_000);
        progress.tick(rows / 2 - 1);
        return rows;
      },
      { connection: ctx.connection, concurrency: 5, progress: { store, intervalMs: 100, total: (job) => job.data.rows ?? null } },
    );
    ctx.onCleanup(() => worker.close());
    const flow = await flows.add({
      name: 'parent',
      queueName,
      data: { progressrusScope: scope },
      children: [10, 30, 60].map((rows) => ({ name: `child ${rows}`, queueName, data: { progressrusScope: scope, rows } })),
    });
    const id = `${queueName}:${flow.job.id}`;
    // Every child has written its half before the first ends.
    await until(async () => (await store.scope(scope)).filter((tick) => tick.count > 0).length === 3);
    release.add(10);
    // 10 (completed) + 15 + 30 of 100.
    const first = await parentAt(id, 55);
    expect(first).toMatchObject({ status: 'waiting-children', total: 100 });
    release.add(30);
    const second = await parentAt(id, 70);
    expect(second.percentage()).toBe(70);
    release.add(60);
    expect((await finishedRecord(store, scope, id)).status).toBe('completed');
  });
});
