import type { HistoryPoint } from './history.js';
/**
 * Lifecycle states that an integration (BullMQ) sets explicitly; the rest are derived.
 * `queued`, `delayed` and `prioritized` are jobs waiting in their queue (BullMQ's wait,
 * delayed and prioritized sets); `cancelled` is an end, like `completed` and `failed`.
 */
export type ExplicitState =
  | 'queued'
  | 'delayed'
  | 'prioritized'
  | 'retrying'
  | 'waiting-children'
  | 'cancelled';

/** Every explicit state, for decoders and validation. */
export const EXPLICIT_STATES: readonly ExplicitState[] = [
  'queued',
  'delayed',
  'prioritized',
  'retrying',
  'waiting-children',
  'cancelled',
];

/** What a record reads as. `stalled` is derived at read time from `updatedAt`. */
export type Status = 'started' | 'running' | 'completed' | 'failed' | 'stalled' | ExplicitState;

export const STATUSES: readonly Status[] = [
  'started',
  'running',
  'completed',
  'failed',
  'stalled',
  'retrying',
  'delayed',
  'waiting-children',
  'queued',
  'prioritized',
  'cancelled',
];

/** The number of live jobs of a scope by the status they read now; every status is present. */
export type StatusCounts = Readonly<Record<Status, number>>;

/** What an operator or an end user did to a job through the admin or the HTTP API. */
export type JobActionName = 'cancel' | 'retry';

export const JOB_ACTION_NAMES: readonly JobActionName[] = ['cancel', 'retry'];

/** One action on a job, kept in its record: what was asked, and when. */
export interface RecordAction {
  readonly action: JobActionName;
  readonly at: Date;
}

/** One job's progress, as stored. Writers produce it, stores encode it, `Tick` reads it. */
export interface ProgressRecord {
  readonly id: string;
  readonly name: string;
  readonly scope: readonly string[];
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly count: number;
  readonly total: number | null;
  readonly params: unknown;
  readonly errorCount: number;
  // Extensions: written by the default format, absent from records of the Ruby gem.
  /** When the writer last wrote; drives `stalled` and the ETA. */
  readonly updatedAt: Date | null;
  /** Time-weighted smoothed rate, items per second, at `updatedAt`. */
  readonly ratePerSecond: number | null;
  /** The writer's throttle interval; a running record silent for 3 of them reads `stalled`. */
  readonly intervalMs: number | null;
  readonly state: ExplicitState | null;
  /** Why the job failed (or why the last attempt failed, while `retrying`). */
  readonly errorMessage: string | null;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
  /** Cancels and retries asked for this job, oldest first. */
  readonly actions: readonly RecordAction[];
  /**
   * Progress samples, oldest first, the last at `updatedAt` (see `core/history.ts`); absent or
   * empty in records of the Ruby gem. Optional so that code building records need not know it.
   */
  readonly history?: readonly HistoryPoint[];
}

/** The fields a record has when a writer leaves them out. */
export const EMPTY_EXTENSIONS = {
  updatedAt: null,
  ratePerSecond: null,
  intervalMs: null,
  state: null,
  errorMessage: null,
  queue: null,
  jobId: null,
  attempt: null,
  actions: [],
  history: [],
} as const satisfies Partial<ProgressRecord>;

function later(a: Date | null, b: Date | null): Date | null {
  // getTime(), not `b > a`: a relational operator on two Dates converts each through valueOf.
  return b && (!a || b.getTime() > a.getTime()) ? b : a;
}

/** The latest moment something happened to a record; orders scopes by activity. */
export function lastActivity(
  record: Pick<ProgressRecord, 'updatedAt' | 'startedAt' | 'completedAt' | 'failedAt'>,
): Date | null {
  // Without an array of the four: this runs for every record written.
  let latest = later(record.updatedAt, record.startedAt);
  latest = later(latest, record.completedAt);
  return later(latest, record.failedAt);
}
