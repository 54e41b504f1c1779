import { type Job, Queue, Worker } from 'bullmq';
import type { Progresser } from 'progressrus';
import { ProgressWorker } from 'progressrus/bullmq';
import type { BenchContext } from './lib/context.js';
import { atLeast, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, nowMs } from './lib/stats.js';

const ITEMS = 10_000;
const ROUNDS = 3;
const BAR = 50;

type Variant = 'updateProgress' | 'progressrus';

/**
 * Bar 4b: what people do today — `await job.updateProgress(percent)` on every item, a Redis
 * round trip each — against the same job under ProgressWorker, a `tick()` per item. One job of
 * 10,000 items with no work, concurrency 1; the clock runs from the worker's start to the
 * job's `completed` event.
 */
export const updateProgressBenchmark: Benchmark = {
  name: 'update-progress',
  description: `BullMQ: one job of ${ITEMS} items, job.updateProgress per item vs ProgressWorker`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const times: Record<Variant, number[]> = { updateProgress: [], progressrus: [] };
    await runJob(context, 'updateProgress');
    await runJob(context, 'progressrus');
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of ['updateProgress', 'progressrus'] as const)
        times[variant].push(await runJob(context, variant));
    }
    const updateMs = median(times.updateProgress);
    const progressrusMs = median(times.progressrus);
    const speedup = updateMs / progressrusMs;
    context.log(`update-progress: ${fmt(updateMs, 1)} ms vs ${fmt(progressrusMs, 1)} ms`);
    return [
      {
        id: 'bullmq.updateProgress',
        what: `BullMQ, one job of ${fmt(ITEMS)} items, concurrency 1: \`job.updateProgress\` per item vs ProgressWorker (median of ${ROUNDS})`,
        measured: `${fmt(speedup, 0)}× faster (${fmt(updateMs)} ms vs ${fmt(progressrusMs, 1)} ms)`,
        value: speedup,
        bar: `≥ ${BAR}×`,
        pass: atLeast(speedup, BAR),
        details: { times, updateMs, progressrusMs },
      },
    ];
  },
};

async function runJob(context: BenchContext, variant: Variant): Promise<number> {
  const url = new URL(await context.redisUrl());
  const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
  const name = context.unique(`update-${variant}`);
  const queue = new Queue(name, { connection });
  await queue.add('import', { items: ITEMS }, { removeOnComplete: true });
  const options = { connection, concurrency: 1, autorun: false };
  const worker =
    variant === 'updateProgress'
      ? new Worker(
          name,
          async (job: Job) => {
            for (let i = 1; i <= ITEMS; i++) await job.updateProgress((i / ITEMS) * 100);
          },
          options,
        )
      : new ProgressWorker(
          name,
          async (_job: Job, progress: Progresser) => {
            for (let i = 1; i <= ITEMS; i++) progress.tick();
          },
          { ...options, progress: { scope: () => ['bench', name], total: () => ITEMS } },
        );
  const done = new Promise<void>((resolve, reject) => {
    worker.on('completed', () => resolve());
    worker.on('failed', (_job, error) => reject(error));
  });
  const start = nowMs();
  try {
    void worker.run();
    await done;
    return nowMs() - start;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
