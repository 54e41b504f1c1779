import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { type RedisServer, startRedisServer } from '../../src/testing/redis-server.js';
import { seededRandom } from '../../src/testing/seeded-random.js';

const WORKER = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const QUEUE = 'chaos';
const PREFIX = 'chaos';
const SCOPES = 50;
const WORKERS = 4;

export interface ChaosSoakOptions {
  /** Jobs added at the start. */
  readonly jobs: number;
  /** Faults are injected until this much time has passed (or every job is done). */
  readonly faultsForMs: number;
  /** A fault every `faultEveryMs[0]`–`faultEveryMs[1]` ms, at random. @default [2000, 5000] */
  readonly faultEveryMs?: readonly [number, number];
  /** How long the jobs get to finish once the faults stop. @default 120_000 */
  readonly settleMs?: number;
  /** Each job ticks 5–15 times, every `tickMs[0]`–`tickMs[1]` ms, at random. @default [10, 30] */
  readonly tickMs?: readonly [number, number];
  /** Seed of the job plan and of the faults. @default 1 */
  readonly seed?: number;
  /** Progress lines. @default () => {} */
  readonly log?: (line: string) => void;
}

export interface ChaosSoakResult {
  readonly jobs: number;
  readonly completed: number;
  readonly failed: number;
  readonly redisRestarts: number;
  readonly workerKills: number;
  readonly seconds: number;
  /** One line per job whose record disagrees with BullMQ (empty: none). */
  readonly mismatches: readonly string[];
}

/**
 * The chaos soak: `jobs` BullMQ jobs (some failing once and retried, some failing for good)
 * across 4 ProgressWorker processes, sharing one redis-server that runs with AOF (`appendfsync
 * always`, so an acknowledged write survives a crash). Every few seconds, at random, Redis is
 * SIGKILLed and restarted on its AOF, or a worker process is SIGKILLed and replaced. At the end
 * every record must agree with its BullMQ job: the same final state (`completed` or `failed`),
 * the full count for a completed job, and no finished job reading running, started or stalled;
 * and every scope's counters must equal a recount of its records.
 */
export async function runChaosSoak(options: ChaosSoakOptions): Promise<ChaosSoakResult> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed ?? 1);
  const [faultMin, faultMax] = options.faultEveryMs ?? [2000, 5000];
  const [tickMin, tickMax] = options.tickMs ?? [10, 30];
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'progressrus-chaos-'));
  const redisArgs = ['--appendonly', 'yes', '--appendfsync', 'always'];
  let server: RedisServer = await startRedisServer({ dir, args: redisArgs });
  const { port, url } = server;
  const workers: ChildProcess[] = [];
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const queue = new Queue(QUEUE, { connection });
  queue.on('error', () => {});
  const store = new RedisStore({ connection, prefix: PREFIX });
  let redisRestarts = 0;
  let workerKills = 0;
  try {
    for (let i = 0; i < WORKERS; i += 1) workers.push(startWorker(url));
    const plan = Array.from({ length: options.jobs }, (_, i) => {
      const roll = random();
      return {
        name: 'chaos',
        data: {
          items: 5 + Math.floor(random() * 11),
          tickMs: tickMin + Math.floor(random() * (tickMax - tickMin)),
          // 10 % fail once and complete on their retry, 5 % fail both attempts.
          failAttempts: roll < 0.05 ? 2 : roll < 0.15 ? 1 : 0,
          progressrusScope: ['chaos', i % SCOPES],
        },
        opts: { jobId: `job-${i}`, attempts: 2 },
      };
    });
    for (let i = 0; i < plan.length; i += 500) await queue.addBulk(plan.slice(i, i + 500));
    log(`${options.jobs} jobs queued, ${WORKERS} worker processes, Redis with AOF on port ${port}`);

    const done = async () => {
      const counts = await queue.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0) >= options.jobs;
    };
    // The first two faults are one of each kind, in a random order: on a fast machine the jobs
    // may be done after two or three faults, and a soak that never killed a worker proves little.
    const redisFirst = random() < 0.5;
    let faults = 0;
    while (Date.now() - started < options.faultsForMs && !(await done())) {
      await sleep(faultMin + random() * (faultMax - faultMin));
      const restartRedis = faults === 0 ? redisFirst : faults === 1 ? !redisFirst : random() < 0.5;
      faults += 1;
      if (restartRedis) {
        process.kill(server.pid, 'SIGKILL');
        await server.stop();
        // Replaying the AOF (every script call again) takes seconds on a busy machine.
        server = await startRedisServer({ port, dir, args: redisArgs, startTimeoutMs: 120_000 });
        redisRestarts += 1;
        log(`fault: Redis SIGKILLed and restarted on its AOF (${redisRestarts})`);
      } else {
        const index = Math.floor(random() * workers.length);
        (workers[index] as ChildProcess).kill('SIGKILL');
        workers[index] = startWorker(url);
        workerKills += 1;
        log(`fault: worker process ${index} SIGKILLed and replaced (${workerKills})`);
      }
    }
    const settleUntil = Date.now() + (options.settleMs ?? 120_000);
    while (!(await done()) && Date.now() < settleUntil) await sleep(250);
    log(`faults over after ${((Date.now() - started) / 1000).toFixed(0)} s; comparing`);
    // Final writes land right after BullMQ's own: give the last ones a moment.
    let mismatches = await compare(queue, store, options.jobs);
    const compareUntil = Date.now() + 10_000;
    while (mismatches.length > 0 && Date.now() < compareUntil) {
      await sleep(250);
      mismatches = await compare(queue, store, options.jobs);
    }
    const counts = await queue.getJobCounts('completed', 'failed');
    return {
      jobs: options.jobs,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
      redisRestarts,
      workerKills,
      seconds: (Date.now() - started) / 1000,
      mismatches,
    };
  } finally {
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    await queue.close().catch(() => {});
    connection.disconnect();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every job against its record: the same final state, the full count when completed. */
async function compare(queue: Queue, store: RedisStore, jobs: number): Promise<string[]> {
  const states = new Map<string, { state: string; job: Job }>();
  for (const state of ['completed', 'failed'] as const) {
    for (const job of await queue.getJobs([state], 0, -1)) {
      states.set(`${QUEUE}:${job.id}`, { state, job });
    }
  }
  const records = new Map<
    string,
    {
      status: string;
      count: number;
      attempt: number | null;
      updatedAt: Date | null;
      scopeKey: string;
    }
  >();
  for (let scope = 0; scope < SCOPES; scope += 1) {
    for (const tick of await store.scope(['chaos', scope]))
      records.set(tick.id, {
        status: tick.status,
        count: tick.count,
        attempt: tick.attempt,
        updatedAt: tick.updatedAt,
        scopeKey: String(scope),
      });
  }
  const mismatches: string[] = [];
  // The per-scope counters (what scope lists show) against a full recount of the records.
  const recount = new Map<string, Map<string, number>>();
  for (const record of records.values()) {
    const key = `chaos:${record.scopeKey}`;
    const counts = recount.get(key) ?? new Map<string, number>();
    counts.set(record.status, (counts.get(record.status) ?? 0) + 1);
    recount.set(key, counts);
  }
  const { items } = await store.scopes({ prefix: 'chaos:', limit: 1000 });
  for (const entry of items) {
    const counted = recount.get(entry.key) ?? new Map<string, number>();
    for (const [status, count] of Object.entries(entry.counts)) {
      if (count !== (counted.get(status) ?? 0))
        mismatches.push(`${entry.key}: counter ${status} = ${count}, recount ${counted.get(status) ?? 0}`);
    }
  }
  if (items.length !== recount.size)
    mismatches.push(`${items.length} scopes listed, ${recount.size} hold records`);
  for (let i = 0; i < jobs; i += 1) {
    const id = `${QUEUE}:job-${i}`;
    const bull = states.get(id);
    const record = records.get(id);
    if (bull === undefined) mismatches.push(`${id}: not finished in BullMQ`);
    else if (record === undefined) mismatches.push(`${id}: ${bull.state} in BullMQ, no record`);
    else if (record.status !== bull.state)
      mismatches.push(
        `${id}: ${bull.state} in BullMQ (attempts started ${bull.job.attemptsStarted}, made ${bull.job.attemptsMade}, finished ${new Date(bull.job.finishedOn ?? 0).toISOString()}), ${record.status} in its record (attempt ${record.attempt}, count ${record.count}, updated ${record.updatedAt?.toISOString()})`,
      );
    else if (bull.state === 'completed' && record.count !== bull.job.data.items)
      mismatches.push(`${id}: completed with count ${record.count} of ${bull.job.data.items}`);
  }
  return mismatches;
}

function startWorker(url: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      REDIS_URL: url,
      QUEUE,
      PROGRESSRUS_PREFIX: PREFIX,
      INTERVAL_MS: '100',
      MAX_STALLED: '1000',
      CLOSE_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
