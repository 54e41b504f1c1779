import type { TypicalDuration } from './durations.js';
import type { HistoryPoint } from './history.js';
import type { ExplicitState, ProgressRecord, RecordAction, Status } from './record.js';
import { estimateFinish } from './rate.js';

/** A running record with no write for this many intervals reads as `stalled`. */
export const STALLED_AFTER_INTERVALS = 3;

/** The largest time a Date can hold, in ms from the epoch either way. */
const MAX_DATE_MS = 8.64e15;

/**
 * A read-side snapshot of one job's progress. `status` is derived at read time, so a job
 * that stopped writing reads `stalled` without anyone writing it.
 *
 * @example
 * const ticks = await store.scope(['user', 3421]);
 * for (const tick of ticks) console.log(tick.name, tick.status, tick.percentage(), tick.eta());
 */
export class Tick {
  readonly id: string;
  readonly name: string;
  readonly scope: readonly string[];
  readonly count: number;
  readonly total: number | null;
  readonly params: unknown;
  readonly errorCount: number;
  readonly startedAt: Date | null;
  readonly updatedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  readonly expiresAt: Date | null;
  /** Smoothed items per second at `updatedAt`, when the writer stored one. */
  readonly ratePerSecond: number | null;
  readonly intervalMs: number | null;
  readonly errorMessage: string | null;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
  /** Cancels and retries asked for this job, oldest first. */
  readonly actions: readonly RecordAction[];
  /** Progress samples, oldest first, the last at `updatedAt`; empty for records of the Ruby gem. */
  readonly history: readonly HistoryPoint[];
  readonly status: Status;
  /** When the job reads `stalled` if nothing writes it before; null when finished or without an interval. */
  readonly stalledAt: Date | null;
  /** When this snapshot was read; the default `now` of `eta()` and `elapsed()`. */
  readonly readAt: Date;

  constructor(record: ProgressRecord, readAt: Date = new Date()) {
    this.id = record.id;
    this.name = record.name;
    this.scope = record.scope;
    this.count = record.count;
    this.total = record.total;
    this.params = record.params;
    this.errorCount = record.errorCount;
    this.startedAt = record.startedAt;
    this.updatedAt = record.updatedAt;
    this.completedAt = record.completedAt;
    this.failedAt = record.failedAt;
    this.expiresAt = record.expiresAt;
    this.ratePerSecond = record.ratePerSecond;
    this.intervalMs = record.intervalMs;
    this.errorMessage = record.errorMessage;
    this.queue = record.queue;
    this.jobId = record.jobId;
    this.attempt = record.attempt;
    this.actions = record.actions;
    this.history = record.history ?? [];
    this.readAt = readAt;
    this.status = deriveStatus(record, readAt.getTime());
    this.stalledAt = stalledAt(record);
  }

  /** Whether the job has reached an end: `completed`, `failed` or `cancelled`. */
  get finished(): boolean {
    return this.status === 'completed' || this.status === 'failed' || this.status === 'cancelled';
  }

  /** When the job was cancelled (its last write); null unless it reads `cancelled`. */
  get cancelledAt(): Date | null {
    return this.status === 'cancelled' ? this.updatedAt : null;
  }

  /**
   * A cancel was asked for and the job has not ended since: its processor has not honoured
   * the AbortSignal yet (or ignores it). Shown as "cancel requested".
   */
  get cancelRequested(): boolean {
    if (this.finished) return false;
    const last = this.actions.at(-1);
    return last !== undefined && last.action === 'cancel';
  }

  /** 0–100 (more when `count` passed `total`); `null` when the total is unknown; 100 for total 0. */
  percentage(): number | null {
    return percentageOf(this.count, this.total);
  }

  /**
   * When the job should finish; `null` when finished or waiting (retrying, delayed,
   * waiting-children), when the total is unknown or before any progress. With `typical`
   * (`store.typicalDuration(tick.name, tick.queue)`), earlier jobs of the name are the prior
   * while this one's own evidence is thin, and a job with no progress yet gets an ETA too.
   */
  eta(now: Date = this.readAt, typical: TypicalDuration | null = null): Date | null {
    // Only a job that is working (or stalled in its work) has a finish to estimate: a job
    // waiting for a retry, a delay or its children will resume at a time no rate tells.
    if (this.status !== 'running' && this.status !== 'stalled' && this.status !== 'started')
      return null;
    const finish = estimateFinish(this, now.getTime(), typical);
    // A record written by another program may hold a total so large that the finish lies
    // beyond the range of a Date; an Invalid Date would throw in toISOString().
    return finish === null || !(Math.abs(finish) <= MAX_DATE_MS) ? null : new Date(finish);
  }

  /** Milliseconds from `startedAt` to the end of the job, or to `now` while it runs; 0 before it starts. */
  elapsed(now: Date = this.readAt): number {
    if (this.startedAt === null) return 0;
    const end = this.completedAt ?? this.failedAt ?? now;
    return Math.max(0, end.getTime() - this.startedAt.getTime());
  }
}

/** 0–100 (more when `count` passed `total`); `null` when the total is unknown; 100 for total 0. */
export function percentageOf(count: number, total: number | null): number | null {
  if (total === null) return null;
  if (total === 0) return 100;
  const percentage = (count / total) * 100;
  // Only records of other programs get here (say, a total of 1e-300): unknown beats Infinity.
  return Number.isFinite(percentage) ? percentage : null;
}

/**
 * When an unfinished record with no explicit state will read `stalled` if nothing writes it
 * again; null when it never will by itself (finished, or written without an interval).
 * Viewers that hold a snapshot use it to turn a quiet job stalled without another read.
 */
export function stalledAt(record: ProgressRecord): Date | null {
  if (record.failedAt || record.completedAt || record.state) return null;
  if (record.updatedAt === null || record.intervalMs === null) return null;
  const at = record.updatedAt.getTime() + STALLED_AFTER_INTERVALS * record.intervalMs;
  // A record written by another program may hold an interval so long that the moment lies
  // beyond the range of a Date: such a record never stalls by itself.
  return at <= MAX_DATE_MS ? new Date(at) : null;
}

/** What a record reads as before the clock is asked: every status but `stalled`. */
export type WrittenStatus = Exclude<Status, 'stalled'>;

/**
 * The status a record was written with: explicit or derived from its times and count, never
 * `stalled`. Stores index and count it at write time; only `running` and `started` records can
 * read `stalled`, once the clock passes their `stalledAt`.
 */
export function writtenStatus(record: ProgressRecord): WrittenStatus {
  if (record.failedAt) return 'failed';
  if (record.completedAt) return 'completed';
  const explicit: ExplicitState | null = record.state;
  if (explicit) return explicit;
  return record.startedAt !== null || record.count > 0 ? 'running' : 'started';
}

function deriveStatus(record: ProgressRecord, nowMs: number): Status {
  const status = writtenStatus(record);
  if ((status === 'running' || status === 'started') && isSilent(record, nowMs)) return 'stalled';
  return status;
}

function isSilent(record: ProgressRecord, nowMs: number): boolean {
  const at = stalledAt(record);
  return at !== null && nowMs > at.getTime();
}
