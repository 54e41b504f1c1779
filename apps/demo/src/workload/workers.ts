import type { Redis } from 'ioredis';
import { ProgressWorker } from 'progressrus/bullmq';
import type { DemoJobData } from './job-plan.js';
import { QUEUES } from './job-plan.js';
import { type AddChild, demoProcessor } from './processor.js';

/** Jobs each queue runs at once: fewer than the producer adds, so some wait their turn. */
const CONCURRENCY: Record<(typeof QUEUES)[number], number> = { imports: 6, exports: 6, billing: 4 };

/** Finished demo records go sooner than the library's default, so a long demo stays readable. */
const RETENTION = { completedMs: 10 * 60_000, failedMs: 30 * 60_000, unfinishedMs: 30 * 60_000 };

/** One ProgressWorker per queue; each job's record lands in the scope `['user', n]`. */
export function startWorkers(
  connection: Redis,
  stop: AbortSignal,
  addChild: AddChild,
): ProgressWorker<DemoJobData>[] {
  return QUEUES.map((queue) => {
    const worker = new ProgressWorker<DemoJobData>(queue, demoProcessor(stop, addChild), {
      connection,
      concurrency: CONCURRENCY[queue],
      progress: {
        scope: (job) => ['user', job.data.user],
        total: (job) => (job.data.totalKnown === 'known' ? job.data.items : null),
        retention: RETENTION,
      },
    });
    // A Worker is an EventEmitter: an 'error' without a listener would crash the demo.
    worker.on('error', (error) => {
      if (!stop.aborted) console.error(`demo worker ${queue}: ${error.message}`);
    });
    return worker;
  });
}
