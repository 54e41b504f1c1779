import { MemoryStore, type ProgressRecord, Progresser } from 'progressrus';
// The Ruby gem's estimate, the baseline: internal to the library, not part of its API.
import { straightLineFinish } from '../../plugin/src/core/rate.js';
import type { JobProfile } from './eta-profiles.js';
import { yieldToLoop } from './stats.js';

/** Readings at 5, 10, …, 90 % of the items. */
export const CHECKPOINTS: readonly number[] = Array.from({ length: 18 }, (_, i) => (i + 1) / 20);
const INTERVAL_MS = 2_000;
const STEP_MS = 100;
const EPOCH_MS = Date.UTC(2026, 0, 1);
const SCOPE = ['eta'];
const ID = 'job';

export interface SimulationOptions {
  /** The job's name; with it, the store's typical duration of the name is the ETA's prior. */
  readonly name?: string;
  readonly id?: string;
  /** A store shared by several jobs (so earlier ones make the prior of later ones), and its clock. */
  readonly store?: MemoryStore;
  readonly clock?: { nowMs: number };
}

export interface Estimate {
  readonly checkpoint: number;
  /** |ETA − true finish| ÷ true remaining time; 1 when an estimator gave no ETA (as bad as saying "now"). */
  readonly progressrusError: number;
  readonly straightLineError: number;
  /** Progressrus without the prior (the same as `progressrusError` when there is none). */
  readonly ownError: number;
}

/**
 * Runs one synthetic job on a simulated clock through the real writer and reader: a
 * Progresser with an injected clock writes to a MemoryStore, throttled as in production; at
 * each checkpoint a reader takes the stored record (`store.find`, so through the codec), asks
 * `Tick.eta()` and the straight line from the same record, at the same moment. When the job is
 * done, both are scored against the true finish.
 *
 * The throttle's trailing write is a real `setTimeout` in the Progresser; on a simulated clock
 * the simulation fires it itself, with `flush()` at the instant the timer was due (the last
 * write plus one interval), which is exactly what the timer would have done.
 */
export async function simulateJob(
  profile: JobProfile,
  options: SimulationOptions = {},
): Promise<Estimate[]> {
  const clock = options.clock ?? { nowMs: EPOCH_MS };
  let nowMs = clock.nowMs;
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  const target = options.store ?? new MemoryStore({ now: () => nowMs });
  const store = {
    persist(record: ProgressRecord) {
      lastWriteMs = nowMs;
      clock.nowMs = nowMs;
      return target.persist(record);
    },
  };
  // The prior, read as a dashboard would, before the job starts.
  const typical = options.name ? await target.typicalDuration(options.name, null) : null;
  const progress = new Progresser({
    scope: SCOPE,
    id: options.id ?? ID,
    name: options.name ?? ID,
    total: profile.total,
    store,
    intervalMs: INTERVAL_MS,
    now: () => nowMs,
  });

  const readings: {
    checkpoint: number;
    atMs: number;
    progressrus: number | null;
    own: number | null;
    straightLine: number | null;
  }[] = [];
  let done = 0;
  let carry = 0;
  let next = 0;
  while (done < profile.total) {
    const tMs = nowMs - EPOCH_MS;
    // Advance to the next step, or to the instant the throttle's timer is due if sooner.
    const dueMs = lastWriteMs + INTERVAL_MS;
    const stepEndMs = dueMs > nowMs && dueMs < nowMs + STEP_MS ? dueMs : nowMs + STEP_MS;
    carry += (profile.rateAt(tMs, done) * (stepEndMs - nowMs)) / 1000;
    const items = Math.min(Math.floor(carry), profile.total - done);
    carry -= items;
    nowMs = stepEndMs;
    if (items > 0) {
      // One tick first, as a job ticking per item does: after a quiet spell that tick alone
      // makes the leading write, at this instant, before the step's other items.
      progress.tick(1);
      await yieldToLoop();
      progress.tick(items - 1);
      done += items;
    }
    if (nowMs >= lastWriteMs + INTERVAL_MS) await progress.flush();
    while (next < CHECKPOINTS.length && done >= (CHECKPOINTS[next] as number) * profile.total) {
      const tick = await target.find(SCOPE, options.id ?? ID);
      if (tick === null) throw new Error('no record at a checkpoint');
      readings.push({
        checkpoint: CHECKPOINTS[next] as number,
        atMs: nowMs,
        progressrus: tick.eta(new Date(nowMs), typical)?.getTime() ?? null,
        own: tick.eta(new Date(nowMs))?.getTime() ?? null,
        straightLine:
          tick.total === null
            ? null
            : straightLineFinish(tick.count, tick.total, tick.startedAt, nowMs),
      });
      next += 1;
    }
  }
  const finishMs = nowMs;
  await progress.complete();
  clock.nowMs = nowMs;
  const error = (eta: number | null, atMs: number) =>
    eta === null ? 1 : Math.abs(eta - finishMs) / Math.max(1, finishMs - atMs);
  return readings.map(({ checkpoint, atMs, progressrus, own, straightLine }) => ({
    checkpoint,
    progressrusError: error(progressrus, atMs),
    ownError: error(own, atMs),
    straightLineError: error(straightLine, atMs),
  }));
}
