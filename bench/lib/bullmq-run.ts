import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Progresser } from 'progressrus';
import { ProgressWorker } from 'progressrus/bullmq';
import type { BenchContext } from './context.js';
import { median, nowMs } from './stats.js';

export type Variant = 'plain' | 'progress';

export interface WorkloadOptions {
  readonly jobs: number;
  readonly concurrency: number;
  /** Items per job; the progress variant ticks once per item. */
  readonly items: number;
  /** The work of one item, the same in both variants. */
  readonly item: () => void;
}

export interface RunResult {
  readonly variant: Variant;
  readonly ms: number;
  readonly jobsPerSecond: number;
  /** CPU time per job of this process (the worker) and of redis-server, µs, reported beside the wall time. */
  readonly workerCpuMicrosPerJob: number;
  readonly redisCpuMicrosPerJob: number;
}

const ADD_CHUNK = 1_000;

/**
 * Processes `jobs` jobs with a plain BullMQ Worker or a ProgressWorker (default store: a
 * RedisStore on its own connection to the same Redis), on a fresh queue. The jobs are added
 * first; the clock runs from the worker's start to the last `completed` event.
 */
export async function runWorkload(
  context: BenchContext,
  variant: Variant,
  options: WorkloadOptions,
): Promise<RunResult> {
  const url = new URL(await context.redisUrl());
  const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
  const name = context.unique(`bullmq-${variant}`);
  const queue = new Queue(name, { connection });
  for (let start = 0; start < options.jobs; start += ADD_CHUNK) {
    const count = Math.min(ADD_CHUNK, options.jobs - start);
    await queue.addBulk(
      Array.from({ length: count }, (_, i) => ({
        name: 'item',
        data: { n: start + i },
        opts: { removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
  const { items, item } = options;
  const workerOptions = { connection, concurrency: options.concurrency, autorun: false };
  const worker =
    variant === 'plain'
      ? new Worker(
          name,
          async (_job: Job) => {
            for (let i = 0; i < items; i++) item();
          },
          workerOptions,
        )
      : new ProgressWorker(
          name,
          async (_job: Job, progress: Progresser) => {
            for (let i = 0; i < items; i++) {
              item();
              progress.tick();
            }
          },
          { ...workerOptions, progress: { scope: () => ['bench', name], total: () => items } },
        );
  let completed = 0;
  const done = new Promise<void>((resolve, reject) => {
    worker.on('completed', () => {
      completed += 1;
      if (completed === options.jobs) resolve();
    });
    worker.on('failed', (_job, error) => reject(error));
  });
  const admin = await context.admin();
  const redisCpuBefore = await redisCpuSeconds(admin);
  const cpuBefore = process.cpuUsage();
  const start = nowMs();
  let ms: number;
  let cpu: NodeJS.CpuUsage;
  let redisCpu: number;
  try {
    void worker.run();
    await done;
    ms = nowMs() - start;
    cpu = process.cpuUsage(cpuBefore);
    redisCpu = (await redisCpuSeconds(admin)) - redisCpuBefore;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
  return {
    variant,
    ms,
    jobsPerSecond: (options.jobs * 1000) / ms,
    workerCpuMicrosPerJob: (cpu.user + cpu.system) / options.jobs,
    redisCpuMicrosPerJob: (redisCpu * 1e6) / options.jobs,
  };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

export interface Comparison {
  readonly plain: RunResult[];
  readonly progress: RunResult[];
  /** Median over rounds of ProgressWorker jobs/s ÷ plain Worker jobs/s in the same round. */
  readonly ratio: number;
  readonly ratios: number[];
  readonly plainJobsPerSecond: number;
  readonly progressJobsPerSecond: number;
  /** Median worker + redis-server CPU per job, µs. */
  readonly plainCpuMicrosPerJob: number;
  readonly progressCpuMicrosPerJob: number;
}

/**
 * Alternates plain and ProgressWorker runs (plain, progress, progress, plain, …: each round
 * reverses the order) after one untimed warm-up of each with a tenth of the jobs: the machine
 * is shared, and alternating spreads a neighbour's noise over both.
 */
export async function compareWorkers(
  context: BenchContext,
  label: string,
  rounds: number,
  options: WorkloadOptions,
): Promise<Comparison> {
  const warmup = { ...options, jobs: Math.ceil(options.jobs / 10) };
  await runWorkload(context, 'plain', warmup);
  await runWorkload(context, 'progress', warmup);
  const plain: RunResult[] = [];
  const progress: RunResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 === 0
      ? (['plain', 'progress'] as const)
      : (['progress', 'plain'] as const)) {
      const result = await runWorkload(context, variant, options);
      (variant === 'plain' ? plain : progress).push(result);
      context.log(
        `${label} ${variant}: ${Math.round(result.jobsPerSecond)} jobs/s, CPU µs/job: worker ${Math.round(result.workerCpuMicrosPerJob)}, redis ${Math.round(result.redisCpuMicrosPerJob)}`,
      );
    }
  }
  const plainJobsPerSecond = median(plain.map((r) => r.jobsPerSecond));
  const progressJobsPerSecond = median(progress.map((r) => r.jobsPerSecond));
  // Each round's two runs ran back to back, under the same load: their ratio is the figure,
  // and the median over rounds drops a round in which a neighbour woke up between the two.
  const ratios = plain.map(
    (run, round) => (progress[round] as RunResult).jobsPerSecond / run.jobsPerSecond,
  );
  const cpuPerJob = (runs: RunResult[]) =>
    median(runs.map((r) => r.workerCpuMicrosPerJob + r.redisCpuMicrosPerJob));
  return {
    plain,
    progress,
    ratio: median(ratios),
    ratios,
    plainJobsPerSecond,
    progressJobsPerSecond,
    plainCpuMicrosPerJob: cpuPerJob(plain),
    progressCpuMicrosPerJob: cpuPerJob(progress),
  };
}
