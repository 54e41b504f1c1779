import type { JobProgressOptions } from 'progressrus/bullmq';
import type { DemoJobData } from './job-plan.js';

/** Finished demo records go sooner than the library's default, so a long demo stays readable. */
const RETENTION = { completedMs: 10 * 60_000, failedMs: 30 * 60_000, unfinishedMs: 30 * 60_000 };

/**
 * How a demo job becomes a progress record: each lands in the scope `['user', n]`. The workers
 * and every queue that adds demo jobs with their records (the portal's ProgressQueue) share it,
 * so a record written at add time is the one the worker carries on.
 */
export const DEMO_PROGRESS = {
  scope: (job) => ['user', job.data.user],
  total: (job) => (job.data.totalKnown === 'known' ? job.data.items : null),
  retention: RETENTION,
} as const satisfies JobProgressOptions<DemoJobData>;
