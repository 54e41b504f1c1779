import type { Redis } from 'ioredis';
import { ProgressWorker } from 'progressrus/bullmq';
import type { DemoJobData } from './job-plan.js';
import { QUEUES } from './job-plan.js';
import { type AddChild, demoProcessor } from './processor.js';
import { DEMO_PROGRESS } from './progress-options.js';

/** Jobs each queue runs at once: fewer than the producer adds, so some wait their turn. */
const CONCURRENCY: Record<(typeof QUEUES)[number], number> = { imports: 6, exports: 6, billing: 4 };

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
      progress: DEMO_PROGRESS,
    });
    // A Worker is an EventEmitter: an 'error' without a listener would crash the demo.
    worker.on('error', (error) => {
      if (!stop.aborted) console.error(`demo worker ${queue}: ${error.message}`);
    });
    return worker;
  });
}
