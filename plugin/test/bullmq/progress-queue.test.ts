import { describe, expect, it } from 'vitest';
import {
  type JobProgressOptions,
  ProgressQueue,
  type ProgressQueueOptions,
  ProgressWorker,
} from '../../src/bullmq/index.js';
import { decodeRecord } from '../../src/core/codec.js';
import { RedisStore, type StoreWriter } from '../../src/index.js';
import { uniquePrefix } from '../helpers.js';
import { bullmqContext, finishedRecord, until } from './bullmq-context.js';

describe('ProgressQueue', () => {
  const ctx = bullmqContext();

  function queue(options: Partial<ProgressQueueOptions> = {}): ProgressQueue {
    const created = new ProgressQueue(uniquePrefix('queued'), {
      connection: { url: ctx.redisUrl },
      ...options,
    });
    ctx.onCleanup(() => created.obliterate({ force: true }).then(() => created.close()));
    return created;
  }

  it('writes a queued record with name, total, scope and queue before any worker runs, and the worker carries it on', async () => {
    const store = ctx.store();
    const progress: JobProgressOptions = {
      store,
      scope: (job) => ['user', job.data.userId],
      total: (job) => job.data.rows,
    };
    const q = queue({ progress });
    const job = await q.add('csv-import', { userId: 7, rows: 3 });
    // Its id is known before BullMQ adds it: a random prefix and its index in the call.
    expect(job.id).toMatch(/^[A-Za-z0-9_-]{12}-0$/);
    const id = `${q.name}:${job.id}`;
    expect(await store.find(['user', 7], id)).toMatchObject({
      status: 'queued',
      name: 'csv-import',
      total: 3,
      count: 0,
      queue: q.name,
      jobId: job.id,
      startedAt: null,
    });
    const worker = new ProgressWorker(
      q.name,
      async (_job, p) => {
        p.tick(3);
      },
      { connection: ctx.connection, progress },
    );
    ctx.onCleanup(() => worker.close());
    const done = await finishedRecord(store, ['user', 7], id);
    expect(done).toMatchObject({ status: 'completed', count: 3, total: 3, name: 'csv-import' });
    expect(await store.scope(['user', 7])).toHaveLength(1);
  });

  it('shows delayed and prioritized jobs as such, and takes the scope from job.data.progressrusScope', async () => {
    const store = ctx.store();
    const q = queue({ progress: { store } });
    const jobs = await q.addBulk([
      { name: 'later', data: { progressrusScope: ['user', 1] }, opts: { delay: 60_000 } },
      { name: 'urgent', data: { progressrusScope: ['user', 1] }, opts: { priority: 3 } },
      { name: 'plain', data: { progressrusScope: ['user', 1] } },
      { name: 'default-scope', data: {} },
    ]);
    const statuses = await Promise.all(
      jobs.map(async (job) => {
        const scope = job.name === 'default-scope' ? ['queue', q.name] : ['user', 1];
        return (await store.find(scope, `${q.name}:${job.id}`))?.status;
      }),
    );
    expect(statuses).toEqual(['delayed', 'prioritized', 'queued', 'queued']);
    expect(await q.getJobState(jobs[0]?.id as string)).toBe('delayed');
  });

  it('stores each queued record of an addBulk byte for byte as the normal write path stores it', async () => {
    // Two stores reading at the same moment: their ticks compare whole.
    const nowMs = Date.now();
    const store = new RedisStore({ connection: ctx.redis, prefix: uniquePrefix('queued'), now: () => nowMs });
    const q = queue({ progress: { store, total: (job) => job.data.rows } });
    const jobs = await q.addBulk(
      Array.from({ length: 40 }, (_, i) => ({
        name: i % 5 === 0 ? 'export' : 'import',
        data: { progressrusScope: ['user', i % 3], rows: i % 6 === 0 ? null : 100 + i },
        opts: i % 7 === 0 ? { delay: 60_000 } : i % 8 === 0 ? { priority: 2 } : {},
      })),
    );
    // The same records through persist, into a store of their own.
    const normal = new RedisStore({ connection: ctx.redis, prefix: uniquePrefix('normal'), now: () => nowMs });
    for (const [i, job] of jobs.entries()) {
      const scope = ['user', String(i % 3)];
      const id = `${q.name}:${job.id}`;
      const raw = (await ctx.redis.hget(store.keys.scope(scope.join(':')), id)) as string;
      const record = decodeRecord(raw, scope.join(':'), id);
      expect(record).toMatchObject({ name: job.name, jobId: job.id, queue: q.name, total: i % 6 === 0 ? null : 100 + i });
      await normal.persist(record);
      expect(await ctx.redis.hget(normal.keys.scope(scope.join(':')), id)).toBe(raw);
      const [tick, expected] = await Promise.all([store.find(scope, id), normal.find(scope, id)]);
      expect(tick?.status).toBe(i % 7 === 0 ? 'delayed' : i % 8 === 0 ? 'prioritized' : 'queued');
      expect(tick).toEqual(expected);
    }
    for (const scope of [['user', 0], ['user', 1], ['user', 2]]) {
      const [page, expected] = await Promise.all([store.jobs(scope, { limit: 50 }), normal.jobs(scope, { limit: 50 })]);
      expect(page.counts).toEqual(expected.counts);
      expect(page.items).toEqual(expected.items);
    }
    for (const written of [store, normal]) for (const user of [0, 1, 2]) await written.delete(['user', user]);
  });

  it('keeps a given jobId, and leaves no record for a job deduplicated into one already there', async () => {
    const store = ctx.store();
    const q = queue({ progress: { store } });
    const first = await q.add('a', {}, { jobId: 'mine', deduplication: { id: 'same' } });
    expect(first.id).toBe('mine');
    const second = await q.add('b', {}, { deduplication: { id: 'same' } });
    expect(second.id).toBe('mine');
    const records = await store.scope(['queue', q.name]);
    expect(records.map((record) => record.id)).toEqual([`${q.name}:mine`]);
  });

  it('writes the queued record of every job of a 10,000-job addBulk, in one scope per user', async () => {
    const store = ctx.store();
    const q = queue({ progress: { store, total: (job) => job.data.rows } });
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({
      name: 'import',
      data: { progressrusScope: ['user', i % 10], rows: i },
    }));
    const added = await q.addBulk(jobs);
    expect(added).toHaveLength(10_000);
    const page = await store.jobs(['user', 3], { limit: 1, sort: 'percentage' });
    expect(page.counts.queued).toBe(1000);
    expect(page.total).toBe(1000);
    const last = added[9_993];
    expect(await store.find(['user', 3], `${q.name}:${last?.id}`)).toMatchObject({ status: 'queued', total: 9_993, count: 0 });
  });

  it('never overwrites a record a worker wrote before the queued record landed', async () => {
    const store = ctx.store();
    const q = queue({ progress: { store } });
    const id = `${q.name}:early`;
    const now = new Date();
    await store.persist({
      id, name: 'x', scope: ['queue', q.name], startedAt: now, completedAt: now, failedAt: null,
      expiresAt: null, count: 3, total: 3, params: {}, errorCount: 0, updatedAt: now, ratePerSecond: null,
      intervalMs: 2000, state: null, errorMessage: null, queue: q.name, jobId: 'early', attempt: 1, actions: [],
    });
    await q.addBulk([{ name: 'x', data: {}, opts: { jobId: 'early' } }, { name: 'y', data: {} }]);
    expect(await store.find(['queue', q.name], id)).toMatchObject({ status: 'completed', count: 3 });
    expect((await store.jobs(['queue', q.name])).counts).toMatchObject({ completed: 1, queued: 1 });
  });

  it('adds the jobs when the store fails, and reports the failure', async () => {
    const errors: Error[] = [];
    const broken: StoreWriter = { persist: () => Promise.reject(new Error('store is down')) };
    const q = queue({ progress: { store: broken as never, onError: (error) => errors.push(error) } });
    const job = await q.add('x', {});
    expect(await q.getJobState(job.id as string)).toBe('waiting');
    await until(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(/Could not write the queued records of queue .*store is down/);
  });
});
