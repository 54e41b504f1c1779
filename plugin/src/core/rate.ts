import type { TypicalDuration } from './durations.js';

/**
 * The time-weighted smoothed rates that a writer's estimators keep, and the ETA that a reader
 * derives from the rate stored. Kept together because the reader must undo what the writer assumes.
 */

/**
 * The trend filter's smoothing window grows with the job: this fraction of its elapsed time. A
 * quarter follows a change of pace within a few percent of the job while still averaging out
 * second-to-second noise.
 */
export const WINDOW_FRACTION = 0.25;

export interface RateSample {
  /** Smoothed items per second at `atMs`, or null before two writes. */
  readonly ratePerSecond: number | null;
  /** How fast the rate itself changes, items per second per second. @default 0 */
  readonly trendPerSecond?: number;
  readonly atMs: number;
  readonly count: number;
}

/**
 * Folds the progress since the previous write into the smoothed rate: a time-weighted Holt
 * filter (exponential smoothing of a level and a trend). Each write weighs
 * `1 - exp(-dt / window)`, so a long stretch counts for more than a short one whatever the
 * number of writes, and the window of `WINDOW_FRACTION × elapsed` follows long jobs' trends
 * while smoothing noise. The trend term is what makes the rate current: a plain moving average
 * lags a job that speeds up or slows down by about one window, and the ETA inherits that lag
 * (in the benchmark, a quarter to a half of the straight line's error on speed changes). The
 * trend is not extrapolated into the ETA: nobody knows how long a speed-up lasts.
 *
 * Pauses never reach it: the ensemble (`rate-ensemble.ts`) runs it on the job's working clock.
 */
export function nextRate(
  previous: RateSample,
  nowMs: number,
  count: number,
  startedAtMs: number,
  intervalMs: number,
  windowFraction: number = WINDOW_FRACTION,
  withTrend = true,
): RateSample {
  const dtMs = nowMs - previous.atMs;
  if (dtMs <= 0) return previous;
  const windowMs = Math.max(intervalMs, windowFraction * (nowMs - startedAtMs));
  const instant = ((count - previous.count) * 1000) / dtMs;
  if (previous.ratePerSecond === null)
    return { ratePerSecond: instant, trendPerSecond: 0, atMs: nowMs, count };
  const trend = withTrend ? (previous.trendPerSecond ?? 0) : 0;
  const weight = 1 - Math.exp(-dtMs / windowMs);
  const predicted = Math.max(0, previous.ratePerSecond + (trend * dtMs) / 1000);
  const rate = predicted + weight * (instant - predicted);
  return {
    ratePerSecond: rate,
    trendPerSecond: withTrend
      ? trend + weight * (((rate - previous.ratePerSecond) * 1000) / dtMs - trend)
      : 0,
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
 * The share of its items at which a job's own evidence weighs as much as the prior of its
 * name's earlier jobs (chosen on the tuning half of `npm run bench -- eta`'s prior row).
 */
export const PRIOR_PROGRESS = 0.1;
/** Fewer earlier jobs than this make no prior. */
export const PRIOR_MIN_SAMPLES = 3;

/**
 * When the job should finish, seen at `nowMs`.
 * With a stored rate: the remaining work at that rate from the last write, pushed out by
 * however long the job has been silent beyond one interval (so a stall moves the ETA out).
 * Without one (records of the Ruby gem): the straight line, the average rate since start.
 *
 * With `typical` (how earlier jobs of the name went, see `core/durations.ts`), that is the
 * prior while the job's own evidence is thin: the time left at the usual rate (or what is left
 * of the usual duration), blended with the job's own estimate, which weighs `f / (f +
 * PRIOR_PROGRESS)` at a share `f` of the items done. A started job with no progress yet gets
 * the prior alone.
 */
export function estimateFinish(
  input: EtaInput,
  nowMs: number,
  typical: TypicalDuration | null = null,
): number | null {
  const { count, total, startedAt, updatedAt, ratePerSecond, intervalMs } = input;
  if (total === null) return null;
  const remaining = total - count;
  if (remaining <= 0) return nowMs;
  let own: number | null;
  if (ratePerSecond !== null && ratePerSecond > 0 && updatedAt !== null) {
    const silentMs = Math.max(0, nowMs - updatedAt.getTime() - (intervalMs ?? 0));
    own = updatedAt.getTime() + (remaining * 1000) / ratePerSecond + silentMs;
  } else own = straightLineFinish(count, total, startedAt, nowMs);
  // A job that has not ticked yet has no start; its first write stands in for it.
  const start = startedAt ?? updatedAt;
  if (typical === null || typical.samples < PRIOR_MIN_SAMPLES || start === null) return own;
  const priorLeftMs =
    typical.ratePerSecond !== null && typical.ratePerSecond > 0
      ? (remaining * 1000) / typical.ratePerSecond
      : Math.max(0, start.getTime() + typical.medianMs - nowMs);
  if (own === null) return nowMs + priorLeftMs;
  const share = total > 0 ? count / total : 1;
  const weight = share / (share + PRIOR_PROGRESS);
  return nowMs + weight * (own - nowMs) + (1 - weight) * priorLeftMs;
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
