import type { Job } from 'bullmq';
import type { ExplicitState } from '../core/record.js';

/** BullMQ's message for a manual rate limit (`Worker.RateLimitError()`): the job goes back to wait. */
const RATE_LIMIT_MESSAGE = 'bullmq:rateLimitExceeded';

interface WithWorkerOptions {
  readonly queue?: { readonly opts?: { readonly maxStartedAttempts?: number } };
}

/** What a processor's exception means for the job's record. */
export type AttemptOutcome =
  | { readonly kind: 'failed' }
  | { readonly kind: 'state'; readonly state: ExplicitState };

/**
 * Decides, the way BullMQ's `Worker#handleFailed` and `Job#shouldRetryJob` will, what happens to
 * a job whose processor threw. Errors are matched by `name` as BullMQ does, because an error
 * thrown in a sandboxed processor crosses the process boundary as a plain `Error` with its name.
 *
 * - `DelayedError`, `WaitingError` and a manual rate limit put the job back to wait for later: `delayed`.
 * - `WaitingChildrenError`: `waiting-children`.
 * - `UnrecoverableError`, or no attempts left: `failed`.
 * - Otherwise BullMQ retries it: `retrying`.
 *
 * A custom backoff strategy that returns -1 stops retries in BullMQ but cannot be seen from
 * here without calling it a second time; such a job reads `retrying` with the message of its
 * last failure, and ends `stalled` after three intervals.
 */
export function attemptOutcome(job: Job, error: unknown): AttemptOutcome {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'DelayedError' || name === 'WaitingError')
    return { kind: 'state', state: 'delayed' };
  if (error instanceof Error && error.message === RATE_LIMIT_MESSAGE)
    return { kind: 'state', state: 'delayed' };
  if (name === 'WaitingChildrenError') return { kind: 'state', state: 'waiting-children' };
  if (name === 'UnrecoverableError') return { kind: 'failed' };
  const attempts = job.opts.attempts ?? 1;
  // The worker's options are on the job's (protected) `queue`, where BullMQ itself reads them.
  const maxStartedAttempts = (job as unknown as WithWorkerOptions).queue?.opts?.maxStartedAttempts;
  const startedTooOften = !!maxStartedAttempts && maxStartedAttempts <= job.attemptsStarted;
  return job.attemptsMade + 1 < attempts && !startedTooOften
    ? { kind: 'state', state: 'retrying' }
    : { kind: 'failed' };
}
