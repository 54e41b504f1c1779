import type { TypicalDuration } from './durations.js';
import { PRIOR_MIN_SAMPLES } from './rate.js';
import type { JobActionName, Status, StatusCounts } from './record.js';
import type { ScopeEntry } from './scope.js';
import type { Tick } from './tick.js';
import { formatTime } from './time.js';

/**
 * One job as JSON: what the HTTP API serves and what `@progressrus/ui` renders. Defined once,
 * here; the UI imports it type-only so the two cannot drift. Times are ISO-8601 strings.
 */
export interface JobDTO {
  readonly id: string;
  readonly name: string;
  readonly scope: readonly string[];
  readonly status: Status;
  readonly count: number;
  readonly total: number | null;
  /** 0–100 (may exceed 100); null when the total is unknown. */
  readonly percentage: number | null;
  readonly errorCount: number;
  readonly params: unknown;
  readonly startedAt: string | null;
  readonly updatedAt: string | null;
  readonly completedAt: string | null;
  readonly failedAt: string | null;
  readonly expiresAt: string | null;
  /** When the job reads `stalled` if no further write arrives: a viewer holding this DTO can turn it stalled by itself. */
  readonly stalledAt: string | null;
  /** Estimated finish, at the time the DTO was made. */
  readonly eta: string | null;
  /** Milliseconds from start to finish, or to the time the DTO was made. */
  readonly elapsedMs: number;
  /** Smoothed items per second, when known. */
  readonly ratePerSecond: number | null;
  /** Why the job (or its last attempt) failed. */
  readonly errorMessage: string | null;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
  /** Cancels and retries asked for the job, oldest first. */
  readonly actions: readonly { readonly action: JobActionName; readonly at: string }[];
  /** A cancel was asked for and the job has not ended yet: show "cancel requested". */
  readonly cancelRequested: boolean;
  /** When the job was cancelled; null unless its status is `cancelled`. */
  readonly cancelledAt: string | null;
  /** Progress samples, oldest first (see the wire format's `history`); empty for Ruby records. */
  readonly history: readonly { readonly at: string; readonly count: number; readonly retry: boolean }[];
  /**
   * How long earlier jobs of this name (and queue) usually took, the median of the last ones
   * completed; null when none completed or the server did not look (finished jobs). Also the
   * prior of `eta` while the job's own evidence is thin.
   */
  readonly typicalDurationMs: number | null;
}

/** One scope in a listing, with its live jobs by status (from the store's counters). */
export interface ScopeDTO {
  readonly scope: readonly string[];
  readonly key: string;
  readonly lastActivityAt: string;
  /** Live jobs by the status they read now; every status is present. */
  readonly counts: StatusCounts;
  /** Live jobs: the sum of `counts`. */
  readonly total: number;
}

export interface PageDTO<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A page of a scope's jobs (`GET /jobs`, and the `snapshot` event of a scope's stream) with
 * the counts of the whole scope, whatever the filters.
 */
export interface JobsPageDTO extends PageDTO<JobDTO> {
  readonly counts: StatusCounts;
  /** Live jobs in the scope: the sum of `counts`. */
  readonly total: number;
}

/** Every error response of the HTTP API has this one shape. */
export interface ErrorDTO {
  readonly error: { readonly code: string; readonly message: string };
}

export function toJobDTO(
  tick: Tick,
  now: Date = tick.readAt,
  typical: TypicalDuration | null = null,
): JobDTO {
  return {
    id: tick.id,
    name: tick.name,
    scope: tick.scope,
    status: tick.status,
    count: tick.count,
    total: tick.total,
    percentage: tick.percentage(),
    errorCount: tick.errorCount,
    params: tick.params,
    startedAt: iso(tick.startedAt),
    updatedAt: iso(tick.updatedAt),
    completedAt: iso(tick.completedAt),
    failedAt: iso(tick.failedAt),
    expiresAt: iso(tick.expiresAt),
    stalledAt: iso(tick.stalledAt),
    eta: iso(tick.eta(now, typical)),
    elapsedMs: tick.elapsed(now),
    ratePerSecond: tick.ratePerSecond,
    errorMessage: tick.errorMessage,
    queue: tick.queue,
    jobId: tick.jobId,
    attempt: tick.attempt,
    actions: tick.actions.map((action) => ({ action: action.action, at: iso(action.at) as string })),
    cancelRequested: tick.cancelRequested,
    cancelledAt: iso(tick.cancelledAt),
    history: tick.history.map((point) => ({ at: iso(point.at) as string, count: point.count, retry: point.retry })),
    typicalDurationMs: typical === null || typical.samples < PRIOR_MIN_SAMPLES ? null : typical.medianMs,
  };
}

export function toScopeDTO(entry: ScopeEntry): ScopeDTO {
  return {
    scope: entry.scope,
    key: entry.key,
    lastActivityAt: entry.lastActivityAt.toISOString(),
    counts: entry.counts,
    total: entry.total,
  };
}

/** A page of ticks with counts: what `Store.jobs()` returns (`JobsPage`). */
export interface TicksPage {
  readonly items: readonly Tick[];
  readonly nextCursor: string | null;
  readonly counts: StatusCounts;
  readonly total: number;
}

export function toJobsPageDTO(page: TicksPage, now?: Date): JobsPageDTO {
  return {
    items: page.items.map((tick) => toJobDTO(tick, now)),
    nextCursor: page.nextCursor,
    counts: page.counts,
    total: page.total,
  };
}

/** `toISOString()`, computed with arithmetic (see formatTime): a job has up to eight times and one per history point, and a page 50 jobs. */
function iso(date: Date | null): string | null {
  return formatTime(date);
}
