import { nextRate, type RateSample } from './rate.js';

/**
 * Several estimates of a job's rate, each scored online by how well its earlier forecasts
 * matched what the job did since, and blended by those scores into the one rate a writer stores.
 *
 * No single estimate is right for every job: the average since start is best for a job whose
 * pace swings around a steady mean (bursts, pauses, noise), a short window for one that changed
 * pace for good (warm-up, a step, a stall behind it), a trend filter for one that keeps
 * changing. Which one a given job is, its own history tells: at an anchor the ensemble notes
 * every estimator's rate; once the job has run for a share of its age since, each forecast is
 * scored against the rate the job actually achieved in between, on a log scale (being 2× too
 * fast is as bad as 2× too slow). The horizon grows with the job, as the time left to forecast
 * does. Scores decay, so a job that changes character is re-judged.
 *
 * Everything happens at writes (every `intervalMs` at most): a tick costs nothing more, and a
 * write a few dozen arithmetic operations.
 */

/** The estimators, in the order of `EnsembleState.estimates`. */
export const ESTIMATORS = [
  'average since start',
  'short window',
  'long window',
  'trend filter',
] as const;

/** Share of the job's age that the short and long smoothing windows span. */
const SHORT_WINDOW = 0.08;
const LONG_WINDOW = 0.4;
/** An anchor is scored once the job has run for this share of the age it had at the anchor. */
const HORIZON = 0.3;
/** Each scoring keeps this share of the earlier scores, so old evidence fades. */
const SCORE_MEMORY = 0.6;
/** How sharply the blend favours the best score: weights fall by e per this much mean |log error|. */
const TEMPERATURE = 0.03;
/** The head start, in mean |log error|, of reading a pause as rhythm rather than incident. */
const INCIDENT_PRIOR = 0.4;
/** A gap between writes longer than this many intervals (plus one) was a pause. */
const PAUSE_INTERVALS = 2;

interface Anchor {
  readonly atMs: number;
  readonly count: number;
  readonly forecasts: readonly number[];
}

export interface EnsembleState {
  readonly atMs: number;
  readonly count: number;
  readonly startedAtMs: number;
  /** Time spent in pauses since the start, and the longest of them. */
  readonly pausedMs: number;
  readonly longestPauseMs: number;
  readonly short: RateSample;
  readonly long: RateSample;
  readonly trend: RateSample;
  readonly anchor: Anchor | null;
  /** Decayed sum of each estimator's |log error|, and the decayed number of scorings. */
  readonly losses: readonly number[];
  readonly scorings: number;
  /** Scorings since the first pause: evidence on whether pauses recur. */
  readonly pauseScorings: number;
  /** The blended rate to store, items per second; null before two writes. */
  readonly ratePerSecond: number | null;
}

/** The state at a job's first write. */
export function startEnsemble(startedAtMs: number): EnsembleState {
  const empty: RateSample = { ratePerSecond: null, atMs: startedAtMs, count: 0 };
  return {
    atMs: startedAtMs,
    count: 0,
    startedAtMs,
    pausedMs: 0,
    longestPauseMs: 0,
    short: empty,
    long: empty,
    trend: empty,
    anchor: null,
    losses: [...ESTIMATORS, ...ESTIMATORS].map(() => 0),
    scorings: 0,
    pauseScorings: 0,
    ratePerSecond: null,
  };
}

/** Folds one write into every estimator, scores the anchor when due, and blends. */
export function nextEnsemble(
  previous: EnsembleState,
  nowMs: number,
  count: number,
  intervalMs: number,
): EnsembleState {
  if (nowMs <= previous.atMs) return previous;
  const { startedAtMs } = previous;
  let { pausedMs, longestPauseMs } = previous;
  const gapMs = nowMs - previous.atMs;
  // A throttled writer writes at once on the first tick after a quiet interval, so a gap
  // this long between writes was that long without a tick, whatever the tick then counted.
  if (gapMs > (PAUSE_INTERVALS + 1) * intervalMs) {
    pausedMs += gapMs;
    longestPauseMs = Math.max(longestPauseMs, gapMs);
  }
  // The estimators run on the job's working clock: pauses cut out.
  const activeNowMs = nowMs - pausedMs;
  const short = nextRate(
    previous.short,
    activeNowMs,
    count,
    startedAtMs,
    intervalMs,
    SHORT_WINDOW,
    false,
  );
  const long = nextRate(
    previous.long,
    activeNowMs,
    count,
    startedAtMs,
    intervalMs,
    LONG_WINDOW,
    false,
  );
  const trend = nextRate(previous.trend, activeNowMs, count, startedAtMs, intervalMs);
  const ageMs = activeNowMs - startedAtMs;
  const average = count > 0 && ageMs > 0 ? (count * 1000) / ageMs : null;
  const estimates = [average, short.ratePerSecond, long.ratePerSecond, trend.ratePerSecond];
  // Each working rate under two readings of the pauses so far: the longest was an incident
  // (a stall: its time already pushed the ETA out while it lasted), or every pause is the
  // job's rhythm and the time left will hold as many. Which one, the scoring tells.
  const incidentShare = ageMs > 0 ? ageMs / (ageMs + pausedMs - longestPauseMs) : 1;
  const rhythmShare = ageMs > 0 ? ageMs / (ageMs + pausedMs) : 1;
  const forecasts = estimates.every((e): e is number => e !== null && e > 0)
    ? [...estimates.map((e) => e * incidentShare), ...estimates.map((e) => e * rhythmShare)]
    : null;

  let { anchor, losses, scorings, pauseScorings } = previous;
  if (anchor === null) {
    if (forecasts) anchor = { atMs: nowMs, count, forecasts };
  } else if (
    nowMs - anchor.atMs >=
    Math.max(2 * intervalMs, HORIZON * (anchor.atMs - startedAtMs))
  ) {
    // What the job did since the anchor; half an item when it did nothing, so a stall scores
    // as a very slow stretch rather than an infinite error.
    const achieved = (Math.max(0.5, count - anchor.count) * 1000) / (nowMs - anchor.atMs);
    const scored = anchor.forecasts;
    losses = losses.map(
      (loss, i) => SCORE_MEMORY * loss + Math.abs(Math.log((scored[i] as number) / achieved)),
    );
    scorings = SCORE_MEMORY * scorings + 1;
    if (pausedMs > 0) pauseScorings += 1;
    anchor = forecasts ? { atMs: nowMs, count, forecasts } : null;
  }
  return {
    atMs: nowMs,
    count,
    startedAtMs,
    pausedMs,
    longestPauseMs,
    short,
    long,
    trend,
    anchor,
    losses,
    scorings,
    pauseScorings,
    ratePerSecond: forecasts
      ? blend(forecasts, losses, scorings, pauseScorings)
      : trend.ratePerSecond,
  };
}

/**
 * The rate whose time to finish is the weighted mean of the estimators' times to finish
 * (a weighted harmonic mean of rates), weighted by `exp(−mean loss / TEMPERATURE)`. Before any
 * scoring, every estimator weighs the same.
 */
function blend(
  forecasts: readonly number[],
  losses: readonly number[],
  scorings: number,
  pauseScorings: number,
): number {
  // Until scorings after a pause tell otherwise, a pause is taken as the job's rhythm, as the
  // straight line takes it: the incident reading starts behind and catches up with evidence.
  const incidentPrior = INCIDENT_PRIOR * SCORE_MEMORY ** pauseScorings;
  const means = losses.map(
    (loss, i) => (scorings > 0 ? loss / scorings : 0) + (i < ESTIMATORS.length ? incidentPrior : 0),
  );
  const best = Math.min(...means);
  let weights = 0;
  let secondsPerItem = 0;
  for (let i = 0; i < forecasts.length; i++) {
    const weight = Math.exp(-((means[i] as number) - best) / TEMPERATURE);
    weights += weight;
    secondsPerItem += weight / (forecasts[i] as number);
  }
  return weights / secondsPerItem;
}
