import type { Job, JobsOptions } from 'bullmq';
import { DEFAULT_RETENTION, type Retention } from '../core/progresser-options.js';
import { EMPTY_EXTENSIONS, type ExplicitState, type ProgressRecord } from '../core/record.js';
import { type ResolvedJobProgressOptions, recordIdOf, scopeOf } from './job-progress-options.js';

/** How a job waits in its queue, from the options it was added with (BullMQ's wait, delayed and prioritized sets). */
export function waitingState(opts: JobsOptions | undefined): ExplicitState {
  if ((opts?.delay ?? 0) > 0) return 'delayed';
  if ((opts?.priority ?? 0) > 0) return 'prioritized';
  return 'queued';
}

// One object for every queued record: the store sees at once that their params are the same.
const NO_PARAMS = Object.freeze({});

/**
 * The record of a job that waits in its queue: the id, scope, name and total the worker will
 * give it (the same resolution, from the same options), so the worker carries this record on.
 * No `startedAt`: the job has not started; kept as long as unfinished records.
 */
export function queuedRecord(
  job: Job,
  options: ResolvedJobProgressOptions,
  now: QueuedTimes,
): ProgressRecord {
  return {
    id: recordIdOf(job),
    name: options.name ? options.name(job) : job.name,
    scope: scopeOf(job, options),
    startedAt: null,
    completedAt: null,
    failedAt: null,
    expiresAt: now.expiresAt,
    count: 0,
    total: options.total ? (options.total(job) ?? null) : null,
    params: NO_PARAMS,
    errorCount: 0,
    // Field by field, not `...EMPTY_EXTENSIONS` and overrides: a literal with a spread in
    // its middle is built slowly and large, 10,000 times per addBulk.
    updatedAt: now.updatedAt,
    ratePerSecond: null,
    intervalMs: options.intervalMs,
    state: waitingState(job.opts),
    errorMessage: null,
    queue: job.queueName,
    jobId: job.id ?? null,
    attempt: null,
    actions: EMPTY_EXTENSIONS.actions,
    history: EMPTY_EXTENSIONS.history,
  };
}

/** The times every queued record of one `addBulk` shares (records are never mutated: one Date each). */
export interface QueuedTimes {
  readonly updatedAt: Date;
  readonly expiresAt: Date | null;
}

export function queuedTimes(options: ResolvedJobProgressOptions, nowMs: number): QueuedTimes {
  const keepMs = retentionOf(options.retention);
  return { updatedAt: new Date(nowMs), expiresAt: keepMs === null ? null : new Date(nowMs + keepMs) };
}

function retentionOf(retention: Retention | undefined): number | null {
  const unfinished = retention?.unfinishedMs;
  return unfinished === undefined ? DEFAULT_RETENTION.unfinishedMs : unfinished;
}
