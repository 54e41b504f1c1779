import {
  DelayedError,
  type Job,
  QueueEvents,
  UnrecoverableError,
  WaitingChildrenError,
  Worker,
} from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import {
  type ProgressProcessor,
  ProgressWorker,
  type ProgressWorkerOptions,
  withJobProgress,
} from '../../src/bullmq/index.js';
import { Progresser, RedisStore, type Tick } from '../../src/index.js';
import { bullmqContext, finishedRecord, until } from './bullmq-context.js';

describe('ProgressWorker', () => {
  const ctx = bullmqContext();

  function worker(
    queueName: string,
    processor: ProgressProcessor | string,
    options: Partial<ProgressWorkerOptions> = {},
  ): ProgressWorker {
    const created = new ProgressWorker(queueName, processor, {
      connection: ctx.connection,
      ...options,
    });
    ctx.onCleanup(() => created.close());
    return created;
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
    return job.waitUntilFinished(events, 45_000);
  }

  it('passes a ready Progresser to the processor and records the job under <queue>:<jobId> in the default store', async () => {
    const queue = ctx.queue('plain');
    const seen: unknown[] = [];
    worker(queue.name, async (_job, progress) => {
      seen.push(progress);
      progress.total = 3;
      progress.tick(3);
      return 'ok';
    });
    const job = await queue.add('import', { file: 'a.csv' });
    await finished(queue.name, job);
    expect(seen[0]).toBeInstanceOf(Progresser);
    // The default store writes with the default prefix on the worker's own Redis.
    const store = new RedisStore({ connection: ctx.redis });
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'completed',
      name: 'import',
      count: 3,
      total: 3,
      queue: queue.name,
      jobId: job.id,
      attempt: 1,
    });
    expect(tick.completedAt).toBeInstanceOf(Date);
    expect(tick.startedAt?.getTime()).toBeLessThanOrEqual(tick.completedAt?.getTime() ?? 0);
    await store.delete(['queue', queue.name]);
  });

  it('takes the scope from job.data.progressrusScope when the job has one', async () => {
    const queue = ctx.queue('data-scope');
    const store = ctx.store();
    worker(queue.name, async (_job, progress) => progress.scope, { progress: { store } });
    const job = await queue.add('x', { progressrusScope: ['user', 3421] });
    expect(await finished(queue.name, job)).toEqual(['user', '3421']);
    expect(await finishedRecord(store, ['user', 3421], `${queue.name}:${job.id}`)).toMatchObject({
      status: 'completed',
    });
  });

  it('takes the scope from the scope option over the job data', async () => {
    const queue = ctx.queue('option-scope');
    const store = ctx.store();
    worker(queue.name, async () => undefined, {
      progress: {
        store,
        scope: (job) => ['account', job.data.accountId],
        name: (job) => `Import ${job.data.accountId}`,
      },
    });
    const job = await queue.add('x', { accountId: 7, progressrusScope: ['user', 1] });
    await finished(queue.name, job);
    expect(await finishedRecord(store, ['account', 7], `${queue.name}:${job.id}`)).toMatchObject({
      status: 'completed',
      name: 'Import 7',
    });
    expect(await store.find(['user', 1], `${queue.name}:${job.id}`)).toBeNull();
  });

  it('records a failed job with its failure message and time when it has no attempts left', async () => {
    const queue = ctx.queue('fail');
    const store = ctx.store();
    worker(
      queue.name,
      async (_job, progress) => {
        progress.tick(2);
        throw new Error('disk full');
      },
      { progress: { store } },
    );
    const job = await queue.add('x', {});
    await expect(finished(queue.name, job)).rejects.toThrow('disk full');
    const tick = await store.find(['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({
      status: 'failed',
      errorMessage: 'disk full',
      count: 2,
      attempt: 1,
    });
    expect(tick?.failedAt).toBeInstanceOf(Date);
  });

  it('shows retrying between attempts and ends completed on attempt 3 of a job that fails twice', async () => {
    const queue = ctx.queue('retry');
    const store = ctx.store();
    const between: (Tick | null)[] = [];
    worker(
      queue.name,
      async (job, progress) => {
        // What the record says when this attempt starts, before it writes anything.
        between.push(await store.find(['queue', queue.name], `${queue.name}:${job.id}`));
        progress.tick(10);
        if (job.attemptsMade < 2) throw new Error(`boom ${job.attemptsMade + 1}`);
        return 'done';
      },
      { progress: { store } },
    );
    const job = await queue.add('x', {}, { attempts: 3 });
    await finished(queue.name, job);
    expect(between[0]).toBeNull();
    expect(between[1]).toMatchObject({ status: 'retrying', attempt: 1, errorMessage: 'boom 1' });
    expect(between[2]).toMatchObject({ status: 'retrying', attempt: 2, errorMessage: 'boom 2' });
    const tick = await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`);
    expect(tick).toMatchObject({ status: 'completed', attempt: 3, count: 10, errorMessage: null });
    expect(await store.scope(['queue', queue.name])).toHaveLength(1);
    // One history across the three attempts: each retry's start marked, time only forward.
    const history = tick?.history ?? [];
    expect(history.filter((point) => point.retry)).toHaveLength(2);
    expect(history[0]).toMatchObject({ count: 0, retry: false });
    expect(history.at(-1)).toMatchObject({ count: 10, at: tick?.updatedAt });
    const times = history.map((point) => point.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('fails at once on UnrecoverableError although attempts are left', async () => {
    const queue = ctx.queue('unrecoverable');
    const store = ctx.store();
    let runs = 0;
    worker(
      queue.name,
      async () => {
        runs += 1;
        throw new UnrecoverableError('bad input');
      },
      { progress: { store } },
    );
    const job = await queue.add('x', {}, { attempts: 3 });
    await expect(finished(queue.name, job)).rejects.toThrow('bad input');
    expect(runs).toBe(1);
    expect(await store.find(['queue', queue.name], `${queue.name}:${job.id}`)).toMatchObject({
      status: 'failed',
      errorMessage: 'bad input',
      attempt: 1,
    });
  });

  it('shows delayed while a job moved itself to delayed, then continues the same record', async () => {
    const queue = ctx.queue('delayed');
    const store = ctx.store();
    const onRerun: (Tick | null)[] = [];
    worker(
      queue.name,
      async (job, progress, token) => {
        if (job.data.step === 'first') {
          progress.tick(5);
          await job.updateData({ step: 'second' });
          await job.moveToDelayed(Date.now() + 200, token);
          throw new DelayedError();
        }
        onRerun.push(await store.find(['queue', queue.name], `${queue.name}:${job.id}`));
        progress.tick(5);
      },
      { progress: { store } },
    );
    const job = await queue.add('x', { step: 'first' });
    await finished(queue.name, job);
    expect(onRerun[0]).toMatchObject({ status: 'delayed', count: 5, attempt: 1 });
    expect(
      await finishedRecord(store, ['queue', queue.name], `${queue.name}:${job.id}`),
      // BullMQ counts the run after the delay as a started attempt.
    ).toMatchObject({ status: 'completed', attempt: 2 });
  });

  it('shows waiting-children while a parent waits for the children it added', async () => {
    const parents = ctx.queue('parents');
    const children = ctx.queue('children');
    const store = ctx.store();
    let release: () => void = () => {};
    const childMayFinish = new Promise<void>((resolve) => {
      release = resolve;
    });
    ctx.onCleanup(async () => release());
    const childWorker = new Worker(children.name, () => childMayFinish, {
      connection: ctx.connection,
    });
    ctx.onCleanup(() => childWorker.close());
    worker(
      parents.name,
      async (job, _progress, token) => {
        if (job.data.step === 'wait') {
          await children.add(
            'child',
            {},
            { parent: { id: job.id ?? '', queue: job.queueQualifiedName } },
          );
          await job.updateData({ step: 'done' });
          if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
        }
      },
      { progress: { store } },
    );
    const job = await parents.add('parent', { step: 'wait' });
    const id = `${parents.name}:${job.id}`;
    await until(() =>
      store.find(['queue', parents.name], id).then((t) => t?.status === 'waiting-children'),
    );
    release();
    await until(() =>
      store.find(['queue', parents.name], id).then((t) => t?.status === 'completed'),
    );
  });

  it('writes a job that has not ticked within one interval as started', async () => {
    const queue = ctx.queue('started');
    const store = ctx.store();
    let release: () => void = () => {};
    const mayFinish = new Promise<void>((resolve) => {
      release = resolve;
    });
    worker(queue.name, () => mayFinish, { progress: { store, intervalMs: 100 } });
    const job = await queue.add('x', {});
    const tick = await until(() => store.find(['queue', queue.name], `${queue.name}:${job.id}`));
    expect(tick).toMatchObject({ status: 'started', count: 0, completedAt: null });
    release();
    await finished(queue.name, job);
  });

  it('reads stalled when its worker died and completes the same record when BullMQ runs the job again', async () => {
    const queue = ctx.queue('stalled');
    const store = ctx.store();
    const intervalMs = 100;
    const options = { lockDuration: 500, stalledInterval: 300, progress: { store, intervalMs } };
    const dying = new ProgressWorker(
      queue.name,
      async (_job, progress) => {
        progress.tick(3);
        // Never returns: the worker dies under it.
        await new Promise(() => {});
      },
      { connection: ctx.connection, ...options },
    );
    const job = await queue.add('x', {});
    const id = `${queue.name}:${job.id}`;
    await until(() => store.find(['queue', queue.name], id).then((t) => t?.count === 3));
    await dying.close(true);
    const stalled = await until(() =>
      store.find(['queue', queue.name], id).then((t) => (t?.status === 'stalled' ? t : null)),
    );
    expect(stalled).toMatchObject({ count: 3, attempt: 1 });
    worker(queue.name, async (_job, progress) => progress.tick(4), options);
    const done = await until(() =>
      store.find(['queue', queue.name], id).then((t) => (t?.status === 'completed' ? t : null)),
    );
    // The rerun after the worker died is BullMQ's second started attempt.
    expect(done).toMatchObject({ count: 4, attempt: 2 });
  });

  it('writes through a duplicate of an ioredis connection it was given, and closes only that duplicate', async () => {
    const queue = ctx.queue('duplicate');
    const name = `${queue.name}-client`;
    const connection = new Redis(ctx.redisUrl, {
      maxRetriesPerRequest: null,
      connectionName: name,
    });
    ctx.onCleanup(() => connection.quit());
    const created = new ProgressWorker(queue.name, async (_job, progress) => progress.tick(2), {
      connection,
    });
    const job = await queue.add('x', {});
    const store = new RedisStore({ connection: ctx.redis });
    const id = `${queue.name}:${job.id}`;
    expect(await finishedRecord(store, ['queue', queue.name], id)).toMatchObject({
      status: 'completed',
      count: 2,
    });
    await created.close();
    const clients = (await ctx.redis.client('LIST')) as string;
    expect(clients.split('\n').filter((line) => line.includes(`name=${name} `))).toHaveLength(1);
    expect(connection.status).toBe('ready');
    await store.delete(['queue', queue.name]);
  });

  it('fails a job whose job data holds a bad scope, with a message that names it', async () => {
    const queue = ctx.queue('bad-scope');
    const store = ctx.store();
    worker(queue.name, async () => 'never', { progress: { store } });
    const job = await queue.add('x', { progressrusScope: ['user', 'a:b'] });
    await expect(finished(queue.name, job)).rejects.toThrow(
      'Expected `job.data.progressrusScope[1]` to be a non-empty string without \':\' or NUL, or a finite number, got `"a:b"`',
    );
  });

  it('rejects a bad progress option at construction', () => {
    expect(
      () =>
        new ProgressWorker('q', async () => {}, {
          connection: ctx.connection,
          autorun: false,
          progress: { intervalMs: -1 },
        }),
    ).toThrow('Expected `progress.intervalMs` to be a finite number ≥ 0, got `-1`');
  });

  it.each([
    [{ retention: 'forever' }, 'Expected `progress.retention` to be an object, got `"forever"`'],
    [
      { retention: { failedMs: -1 } },
      'Expected `progress.retention.failedMs` to be a finite number ≥ 0, got `-1`',
    ],
    [
      { intervalMs: 2 ** 31 },
      'Expected `progress.intervalMs` to be a number ≤ 2147483647, got `2147483648`',
    ],
    [
      { cancelSweepMs: 0 },
      'Expected `progress.cancelSweepMs` to be a number from 1 to 2147483647, got `0`',
    ],
  ])('rejects progress %o at construction, not in every job', (progress, message) => {
    expect(
      () =>
        new ProgressWorker('q', async () => {}, {
          connection: ctx.connection,
          autorun: false,
          progress: progress as never,
        }),
    ).toThrow(message);
  });

  it('warns once per burst, without onError, when BullMQ refuses the mirrored progress', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    ctx.onCleanup(async () => warn.mockRestore());
    const queue = ctx.queue('mirror-refused');
    const store = ctx.store();
    const created = worker(
      queue.name,
      async (job, progress) => {
        // Without its hash BullMQ refuses every progress update of the job; the record goes on.
        await ctx.redis.del(`bull:${queue.name}:${job.id}`);
        progress.total = 4;
        for (let i = 0; i < 4; i++) {
          progress.tick();
          await new Promise((resolve) => setTimeout(resolve, 60));
        }
      },
      { progress: { store, intervalMs: 20 } },
    );
    // BullMQ cannot move the job to completed either, and says so on `error`.
    created.on('error', () => {});
    const job = await queue.add('x', {});
    const id = `${queue.name}:${job.id}`;
    expect(await finishedRecord(store, ['queue', queue.name], id)).toMatchObject({ count: 4 });
    const mirrorWarnings = warn.mock.calls.filter(([text]) => String(text).includes('to BullMQ'));
    expect(mirrorWarnings).toEqual([
      [expect.stringContaining(`Could not write the progress of BullMQ job ${id} to BullMQ`)],
    ]);
  });
});

describe('withJobProgress', () => {
  const ctx = bullmqContext();

  it('makes a plain BullMQ processor that records the job, written by flush()', async () => {
    const queue = ctx.queue('with-progress');
    const store = ctx.store();
    const processor = withJobProgress(
      async (_job, progress) => {
        progress.tick(7);
        return 'ok';
      },
      { store },
    );
    const plain = new Worker(queue.name, processor, { connection: ctx.connection });
    const job = await queue.add('x', {});
    await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn);
    await plain.close();
    await processor.flush();
    expect(await store.find(['queue', queue.name], `${queue.name}:${job.id}`)).toMatchObject({
      status: 'completed',
      count: 7,
    });
  });

  it('rejects options without a store', () => {
    expect(() => withJobProgress(async () => {}, {} as never)).toThrow(
      'Expected `store` to be a Store, got `undefined`',
    );
  });
});
