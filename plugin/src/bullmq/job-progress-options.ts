import type { Job } from 'bullmq';
import { expected } from '../core/errors.js';
import { type Retention, resolveRetention } from '../core/progresser-options.js';
import {
  checkBoolean,
  checkNonNegative,
  checkObject,
  checkOptionalFunction,
  checkRange,
  MAX_TIMER_MS,
} from '../core/validate.js';
import { normalizeScope, type Scope } from '../core/scope.js';
import type { StoreWriter } from '../stores/store.js';

/** BullMQ's default for job data and results, so that untyped `job.data` stays usable as in BullMQ. */
// biome-ignore lint/suspicious/noExplicitAny: the same default as BullMQ's own `Processor` and `Worker`.
export type AnyData = any;

/** The job data field a producer may set to choose the scope of a job's record. */
export const SCOPE_DATA_FIELD = 'progressrusScope';

/**
 * How BullMQ jobs are turned into progress records: the `progress` option of
 * `ProgressWorker`, and the options of `withJobProgress(processor, options)`.
 *
 * @example
 * const progress: JobProgressOptions = {
 *   scope: (job) => ['user', job.data.userId],
 *   total: (job) => job.data.rows.length,
 * };
 */
export interface JobProgressOptions<DataType = AnyData> {
  /**
   * The scope of a job's record.
   * @default `job.data.progressrusScope` when the job has one, else `['queue', queueName]`
   */
  readonly scope?: (job: Job<DataType>) => Scope;
  /** Items the job will process; the processor may also set `progress.total`. @default () => null */
  readonly total?: (job: Job<DataType>) => number | null;
  /** Display name of the record. @default the job's name */
  readonly name?: (job: Job<DataType>) => string;
  /**
   * Where records go. `ProgressWorker` defaults to a `RedisStore` on its own connection to the
   * worker's Redis (see the README); `withJobProgress` needs one.
   */
  readonly store?: StoreWriter;
  /** Least time between two throttled writes of one record. @default 2000 */
  readonly intervalMs?: number;
  /**
   * Also write the throttled percentage (0–100) to BullMQ's own job progress, at the throttle's
   * pace, so bull-board and `QueueEvents` show it. Jobs that end within one interval are not
   * mirrored at all. Needs a total: a record with an unknown total is never mirrored.
   * @default true
   */
  readonly mirror?: boolean;
  /** How long finished records stay. @default DEFAULT_RETENTION */
  readonly retention?: Retention;
  /** Store and mirror failures; never thrown into the job. @default one console warning per burst of failures */
  readonly onError?: (error: Error) => void;
  /**
   * `ProgressWorker` only: listen for cancel requests (one more Redis connection per worker).
   * @default true
   */
  readonly cancel?: boolean;
  /**
   * `ProgressWorker` only, with `cancel`: how often the worker looks up the pending cancel
   * requests of the jobs it runs (one `ZMSCORE` per sweep, none while it runs nothing). This
   * bounds how long a job runs on after a request its worker missed: one published while the
   * worker's subscription was down, or before a stalled job ran again elsewhere.
   * @default 5000
   */
  readonly cancelSweepMs?: number;
}

export interface ResolvedJobProgressOptions {
  readonly scope: ((job: Job) => Scope) | null;
  readonly total: ((job: Job) => number | null) | null;
  readonly name: ((job: Job) => string) | null;
  readonly store: StoreWriter | null;
  readonly intervalMs: number;
  readonly mirror: boolean;
  readonly retention: Required<Retention>;
  readonly onError: ((error: Error) => void) | undefined;
  readonly cancel: boolean;
  readonly cancelSweepMs: number;
}

/**
 * Validates the options once, when the worker or wrapper is built, with the library's message
 * format: a bad value fails here, not in every job.
 */
export function resolveJobProgressOptions(
  options: JobProgressOptions<never> | undefined,
): ResolvedJobProgressOptions {
  const given = checkObject('progress', (options ?? {}) as JobProgressOptions);
  const {
    scope,
    total,
    name,
    store,
    intervalMs = 2000,
    mirror = true,
    retention,
    onError,
    cancel = true,
    cancelSweepMs = 5000,
  } = given;
  for (const [key, value] of Object.entries({ scope, total, name, onError })) {
    if (value !== undefined) checkOptionalFunction(`progress.${key}`, value);
  }
  if (
    store !== undefined &&
    (store === null || typeof store !== 'object' || typeof store.persist !== 'function')
  ) {
    throw expected('progress.store', 'a Store', store);
  }
  return {
    scope: scope ?? null,
    total: total ?? null,
    name: name ?? null,
    store: store ?? null,
    intervalMs: checkNonNegative('progress.intervalMs', intervalMs, MAX_TIMER_MS),
    mirror: checkBoolean('progress.mirror', mirror),
    retention: resolveRetention(retention, 'progress.retention'),
    onError,
    cancel: checkBoolean('progress.cancel', cancel),
    cancelSweepMs: checkRange('progress.cancelSweepMs', cancelSweepMs, 1, MAX_TIMER_MS),
  };
}

/** The scope of a job's record: the option, else `job.data.progressrusScope`, else `['queue', queueName]`. */
export function scopeOf(job: Job, options: ResolvedJobProgressOptions): readonly string[] {
  if (options.scope) return normalizeScope(options.scope(job), 'progress.scope(job)');
  const data = job.data as Record<string, unknown> | null | undefined;
  const fromData = data !== null && typeof data === 'object' ? data[SCOPE_DATA_FIELD] : undefined;
  if (fromData !== undefined && fromData !== null)
    return normalizeScope(fromData, `job.data.${SCOPE_DATA_FIELD}`);
  return ['queue', job.queueName];
}

/** `<queueName>:<jobId>`: job ids are only unique within their queue. */
export function recordIdOf(job: Job): string {
  return `${job.queueName}:${job.id}`;
}

/**
 * The attempt that is running, from 1: BullMQ's own count of started runs. It also counts a
 * rerun after a worker died (the job stalled), which is what an operator wants to see: the
 * record of a job whose worker was killed completes "on attempt 2". `attemptsMade` alone
 * would not, since BullMQ 6 counts it only when an attempt ends.
 */
export function attemptOf(job: Job): number {
  return Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1);
}
