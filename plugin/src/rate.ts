/**
 * The time-weighted smoothed rate that a writer stores with each write, and the ETA that a
 * reader derives from it. Kept together because the reader must undo what the writer assumes.
 */

/** The smoothing window grows with the job: a fixed fraction of its elapsed time. */
export const WINDOW_FRACTION = 0.3;

/** A gap between writes longer than this many intervals was a pause, not slow work. */
const PAUSE_INTERVALS = 2;

export interface RateSample {
  /** Smoothed items per second, or null before two writes. */
  readonly ratePerSecond: number | null;
  readonly atMs: number;
  readonly count: number;
}

/**
 * Folds the progress since the previous write into the smoothed rate. Each sample weighs
 * `1 - exp(-dt / window)`, so a long stretch counts for more than a short one whatever the
 * number of writes, and the window of `WINDOW_FRACTION × elapsed` follows trends in long jobs
 * while smoothing noise.
 *
 * After a pause (the first write after a silence, made by the first tick that resumes),
 * the rate is kept: the pause itself already moved the ETA out at read time, and folding a
 * zero rate in would overshoot once work resumes.
 */
export function nextRate(
  previous: RateSample,
  nowMs: number,
  count: number,
  startedAtMs: number,
  intervalMs: number,
): RateSample {
  const dtMs = nowMs - previous.atMs;
  if (dtMs <= 0) return previous;
  if (dtMs > PAUSE_INTERVALS * intervalMs + intervalMs && count - previous.count <= 1) {
    return { ratePerSecond: previous.ratePerSecond, atMs: nowMs, count };
  }
  const instant = ((count - previous.count) * 1000) / dtMs;
  if (previous.ratePerSecond === null) return { ratePerSecond: instant, atMs: nowMs, count };
  const windowMs = Math.max(intervalMs, WINDOW_FRACTION * (nowMs - startedAtMs));
  const weight = 1 - Math.exp(-dtMs / windowMs);
  return {
    ratePerSecond: previous.ratePerSecond + weight * (instant - previous.ratePerSecond),
    atMs: nowMs,
    count,
  };
}

export interface EtaInput {
  readonly count: number;
  readonly total: number | null;
  readonly startedAt: Date | null;
  readonly updatedAt: Date | null;
  readonly ratePerSecond: number | null;
  readonly intervalMs: number | null;
}

/**
 * When the job should finish, seen at `nowMs`.
 * With a stored rate: the remaining work at that rate from the last write, pushed out by
 * however long the job has been silent beyond one interval (so a stall moves the ETA out).
 * Without one (records of the Ruby gem): the straight line, the average rate since start.
 */
export function estimateFinish(input: EtaInput, nowMs: number): number | null {
  const { count, total, startedAt, updatedAt, ratePerSecond, intervalMs } = input;
  if (total === null) return null;
  const remaining = total - count;
  if (remaining <= 0) return nowMs;
  if (ratePerSecond !== null && ratePerSecond > 0 && updatedAt !== null) {
    const silentMs = Math.max(0, nowMs - updatedAt.getTime() - (intervalMs ?? 0));
    return updatedAt.getTime() + (remaining * 1000) / ratePerSecond + silentMs;
  }
  return straightLineFinish(count, total, startedAt, nowMs);
}

/** The Ruby gem's estimate: the average rate since `startedAt`, extrapolated. */
export function straightLineFinish(
  count: number,
  total: number,
  startedAt: Date | null,
  nowMs: number,
): number | null {
  if (startedAt === null || count <= 0) return null;
  const elapsedMs = nowMs - startedAt.getTime();
  return nowMs + ((total - count) * elapsedMs) / count;
}
