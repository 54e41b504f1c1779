import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { JobActions, ProgressQueue } from '../../src/bullmq/index.js';
import { EMPTY_EXTENSIONS } from '../../src/core/record.js';
import {
  JobActionRefusedError,
  JobNotFoundError,
  type ProgressRecord,
  RedisStore,
} from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { finishedRecord, killClientNamed, until } from './bullmq-context.js';

const WORKER = fileURLToPath(new URL('./fixtures/cancel-worker.ts', import.meta.url));
const redisUrl = inject('redisUrl');
const redis = connectRedis();
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface WorkerProcess {
  /** `aborted <jobId> <ms>` and `done <jobId>` lines printed so far. */
  readonly lines: string[];
  /** Kills the process at once (SIGKILL), as a crash would; resolves once it exited. */
  kill(): Promise<void>;
}

/**
 * Starts fixtures/cancel-worker.ts in a Node process of its own; resolves once it listens.
 * `env` sets the fixture's optional knobs (SWEEP_MS, RECONNECT_MS, LOCK_MS, STALLED_MS).
 */
async function startWorkerProcess(
  queue: string,
  prefix: string,
  concurrency = 5,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      QUEUE: queue,
      PROGRESSRUS_PREFIX: prefix,
      CONCURRENCY: String(concurrency),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  cleanups.push(kill);
  const lines: string[] = [];
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === 'ready') resolve();
        else if (line) lines.push(line);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code}:\n${output}`)));
  });
  return { lines, kill };
}

function setup() {
  const prefix = uniquePrefix('actions');
  const store = new RedisStore({ connection: redis, prefix });
  const queue = new ProgressQueue(uniquePrefix('actions-queue'), {
    connection: { url: redisUrl },
    progress: { store, scope: (job) => job.data.scope },
  });
  const connection = new Redis(redisUrl);
  const actions = new JobActions({ store, connection });
  cleanups.push(async () => {
    await actions.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  });
  return { prefix, store, queue, actions };
}

const SCOPE = ['user', 5];

describe('JobActions', () => {
  it('cancels a queued and a delayed job: removed from the queue, cancelled with when, idempotent', async () => {
    const { store, queue, actions } = setup();
    const queued = await queue.add('a', { scope: SCOPE, runMs: 10 });
    const delayed = await queue.add('b', { scope: SCOPE, runMs: 10 }, { delay: 60_000 });
    for (const job of [queued, delayed]) {
      const id = `${queue.name}:${job.id}`;
      const before = Date.now();
      expect(await actions.act('cancel', SCOPE, id)).toEqual({
        id,
        action: 'cancel',
        outcome: 'cancelled',
        status: 'cancelled',
      });
      expect(await queue.getJob(job.id as string)).toBeUndefined();
      const tick = await store.find(SCOPE, id);
      expect(tick?.status).toBe('cancelled');
      expect(tick?.cancelledAt?.getTime()).toBeGreaterThanOrEqual(before);
      expect(tick?.actions.map((action) => action.action)).toEqual(['cancel']);
      expect((await actions.act('cancel', SCOPE, id)).outcome).toBe('unchanged');
      expect((await store.find(SCOPE, id))?.actions).toHaveLength(1);
    }
  });

  it('refuses a job of another scope as not found, an unknown one too, and a retry of a running job', async () => {
    const { store, queue, actions } = setup();
    const job = await queue.add('a', { scope: SCOPE, runMs: 10 });
    const id = `${queue.name}:${job.id}`;
    await expect(actions.act('cancel', ['user', 6], id)).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(actions.act('cancel', SCOPE, 'nope:1')).rejects.toBeInstanceOf(JobNotFoundError);
    expect((await actions.act('retry', SCOPE, id)).outcome).toBe('unchanged');
    await expect(actions.act('cancel', SCOPE, id)).resolves.toMatchObject({ outcome: 'cancelled' });
    await expect(actions.act('delete' as never, SCOPE, id)).rejects.toThrow(/Expected `action`/);
    await store.persist(plainRecord('no-queue'));
    await expect(actions.act('cancel', SCOPE, 'no-queue')).rejects.toBeInstanceOf(
      JobActionRefusedError,
    );
  });

  it('stops a processor in another process through its AbortSignal; the record reads cancelled and BullMQ does not retry it', async () => {
    const { prefix, store, queue, actions } = setup();
    const worker = await startWorkerProcess(queue.name, prefix);
    const job = await queue.add('long', { scope: SCOPE, runMs: 60_000 }, { attempts: 3 });
    const id = `${queue.name}:${job.id}`;
    await until(async () => (await store.find(SCOPE, id))?.status === 'running');
    const asked = Date.now();
    expect(await actions.act('cancel', SCOPE, id)).toMatchObject({ outcome: 'cancel-requested' });
    const aborted = await until(() => worker.lines.find((line) => line.startsWith(`aborted ${job.id} `)));
    console.log(`cancel → abort in the other process: ${Number(aborted.split(' ')[2]) - asked} ms`);
    const tick = await until(async () => {
      const found = await store.find(SCOPE, id);
      return found?.status === 'cancelled' ? found : null;
    });
    expect(tick.actions.map((action) => action.action)).toEqual(['cancel']);
    expect(tick.cancelRequested).toBe(false);
    await until(async () => (await queue.getJobState(job.id as string)) === 'failed');
    expect((await queue.getJob(job.id as string))?.attemptsMade).toBe(1);
  });

  it('shows "cancel requested" while a processor ignores the signal, then its real end, with one cancel action however often the request comes', async () => {
    const { prefix, store, queue, actions } = setup();
    // Heard once on the channel, then found again by each sweep while the job runs on.
    const worker = await startWorkerProcess(queue.name, prefix, 5, { SWEEP_MS: '100' });
    const job = await queue.add('stubborn', { scope: SCOPE, runMs: 1500, ignoreSignal: true });
    const id = `${queue.name}:${job.id}`;
    await until(async () => (await store.find(SCOPE, id))?.status === 'running');
    await actions.act('cancel', SCOPE, id);
    const requested = await until(async () => {
      const found = await store.find(SCOPE, id);
      return found?.cancelRequested ? found : null;
    });
    expect(requested.status).toBe('running');
    await until(() => worker.lines.includes(`done ${job.id}`));
    const ended = await until(async () => {
      const found = await store.find(SCOPE, id);
      return found?.finished ? found : null;
    });
    expect(ended.status).toBe('completed');
    expect(ended.cancelRequested).toBe(false);
    expect(ended.actions.map((action) => action.action)).toEqual(['cancel']);
  });

  it('stops a job whose cancel was published while its worker was unsubscribed, once the worker subscribes again: one cancel action', async () => {
    const { prefix, store, queue, actions } = setup();
    // Its connections come back 3 s after a drop; its periodic sweep is 10 min away, so only
    // the sweep after the new subscription can find the request in time.
    const worker = await startWorkerProcess(queue.name, prefix, 5, {
      RECONNECT_MS: '3000',
      SWEEP_MS: '600000',
    });
    const job = await queue.add('long', { scope: SCOPE, runMs: 60_000 });
    const id = `${queue.name}:${job.id}`;
    await until(async () => (await store.find(SCOPE, id))?.status === 'running');
    const channel = `bull:${queue.name}:progressrus:cancels`;
    await killClientNamed(redis, channel);
    // Nobody hears the request now: it is kept, not lost.
    expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
    expect(await actions.act('cancel', SCOPE, id)).toMatchObject({ outcome: 'cancel-requested' });
    await until(() => worker.lines.find((line) => line.startsWith(`aborted ${job.id} `)));
    const tick = await until(async () => {
      const found = await store.find(SCOPE, id);
      return found?.status === 'cancelled' ? found : null;
    });
    expect(tick.actions.map((action) => action.action)).toEqual(['cancel']);
    await until(async () => (await queue.getJobState(job.id as string)) === 'failed');
  });

  it('stops a job that stalled and ran again on another worker after its cancel was sent: that worker sweeps it up', async () => {
    const { prefix, store, queue, actions } = setup();
    // Both check for stalled jobs often: BullMQ skips a check while the last one's interval runs.
    const stalls = { LOCK_MS: '2000', STALLED_MS: '500' };
    const first = await startWorkerProcess(queue.name, prefix, 5, stalls);
    const job = await queue.add('long', { scope: SCOPE, runMs: 60_000 });
    const id = `${queue.name}:${job.id}`;
    await until(async () => (await store.find(SCOPE, id))?.status === 'running');
    const second = await startWorkerProcess(queue.name, prefix, 5, { ...stalls, SWEEP_MS: '300' });
    await first.kill();
    // The second worker hears this one, but does not hold the job yet.
    expect(await actions.act('cancel', SCOPE, id)).toMatchObject({ outcome: 'cancel-requested' });
    await until(() => second.lines.find((line) => line.startsWith(`aborted ${job.id} `)));
    const tick = await until(async () => {
      const found = await store.find(SCOPE, id);
      return found?.status === 'cancelled' ? found : null;
    });
    expect(tick.actions.map((action) => action.action)).toEqual(['cancel']);
    expect(tick.attempt).toBe(2);
  });

  it('does not stop the rerun of a retried job for the request that cancelled its first run', async () => {
    const { prefix, store, queue, actions } = setup();
    const worker = await startWorkerProcess(queue.name, prefix, 5, { SWEEP_MS: '100' });
    // A rerun after a retry ends at once; this one runs 1 s, several sweeps long.
    const job = await queue.add('long', { scope: SCOPE, runMs: 60_000, rerunMs: 1000 });
    const id = `${queue.name}:${job.id}`;
    await until(async () => (await store.find(SCOPE, id))?.status === 'running');
    await actions.act('cancel', SCOPE, id);
    await until(async () => (await queue.getJobState(job.id as string)) === 'failed');
    expect((await actions.act('retry', SCOPE, id)).outcome).toBe('retried');
    await until(() => worker.lines.includes(`done ${job.id}`));
    const tick = await finishedRecord(store, SCOPE, id);
    expect(tick.status).toBe('completed');
    expect(tick.actions.map((action) => action.action)).toEqual(['cancel', 'retry']);
    expect(worker.lines.filter((line) => line.startsWith(`aborted ${job.id} `))).toHaveLength(1);
  });

  it('cancels 100 running jobs at once, then retries all 100: queued again, the same records run to their end keeping their history', async () => {
    const { prefix, store, queue, actions } = setup();
    await startWorkerProcess(queue.name, prefix, 100);
    const jobs = await queue.addBulk(
      Array.from({ length: 100 }, (_, i) => ({ name: `job ${i}`, data: { scope: SCOPE, runMs: 60_000 } })),
    );
    const ids = jobs.map((job) => `${queue.name}:${job.id}`);
    const statuses = async () => (await store.scope(SCOPE)).map((tick) => tick.status);
    await until(async () => (await statuses()).filter((status) => status === 'running').length === 100);
    const cancels = await Promise.all(ids.map((id) => actions.act('cancel', SCOPE, id)));
    expect(cancels.every((result) => result.outcome === 'cancel-requested')).toBe(true);
    await until(async () => (await statuses()).every((status) => status === 'cancelled'), 45_000);
    // The record reads cancelled before BullMQ moves the job to failed (the runner writes it
    // first, on purpose): a retry must wait for BullMQ too.
    await until(
      async () =>
        (await Promise.all(jobs.map((job) => queue.getJobState(job.id as string)))).every(
          (state) => state === 'failed',
        ),
      45_000,
    );

    const retries = await Promise.all(ids.map((id) => actions.act('retry', SCOPE, id)));
    expect(retries.every((result) => result.outcome === 'retried')).toBe(true);
    await until(async () => (await statuses()).every((status) => status === 'completed'), 45_000);
    const ticks = await store.scope(SCOPE);
    expect(ticks).toHaveLength(100);
    for (const tick of ticks) {
      expect(tick.actions.map((action) => action.action)).toEqual(['cancel', 'retry']);
      expect(tick.attempt).toBe(2);
    }
  }, 120_000);
});

/** A record in SCOPE with no queue: what a plain Progresser writes. */
function plainRecord(id: string): ProgressRecord {
  return {
    id,
    name: id,
    scope: SCOPE.map(String),
    startedAt: new Date(),
    completedAt: null,
    failedAt: null,
    expiresAt: null,
    count: 1,
    total: 2,
    params: {},
    errorCount: 0,
    ...EMPTY_EXTENSIONS,
  };
}
