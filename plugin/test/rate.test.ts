import { describe, expect, it } from 'vitest';
import { estimateFinish, nextRate, type RateSample } from '../src/core/rate.js';
import { type EnsembleState, nextEnsemble, startEnsemble } from '../src/core/rate-ensemble.js';

const INTERVAL_MS = 2_000;

/** Feeds writes every `INTERVAL_MS` with `rateAt(t)` items per second, from t = 0 to `untilMs`. */
function feed(
  rateAt: (tMs: number) => number,
  untilMs: number,
  from: RateSample = { ratePerSecond: null, atMs: 0, count: 0 },
): RateSample {
  let sample = from;
  let count = from.count;
  for (let t = from.atMs + INTERVAL_MS; t <= untilMs; t += INTERVAL_MS) {
    count += (rateAt(t - INTERVAL_MS / 2) * INTERVAL_MS) / 1000;
    sample = nextRate(sample, t, count, 0, INTERVAL_MS);
  }
  return sample;
}

/**
 * Runs the ensemble as a throttled writer would: a write every interval while items come, none
 * while `rateAt` is 0 (the job is paused), and a write at once on the tick that resumes it.
 */
function run(
  rateAt: (tMs: number) => number,
  untilMs: number,
  from: EnsembleState = startEnsemble(0),
): EnsembleState {
  let state = from;
  let count = from.count;
  let carry = 0;
  let lastWriteMs = from.atMs;
  for (let t = from.atMs + 100; t <= untilMs; t += 100) {
    carry += (rateAt(t) * 100) / 1000;
    const items = Math.floor(carry);
    carry -= items;
    count += items;
    if (items > 0 && t - lastWriteMs >= INTERVAL_MS) {
      state = nextEnsemble(state, t, count, INTERVAL_MS);
      lastWriteMs = t;
    }
  }
  return state;
}

describe('nextRate', () => {
  it('settles on the rate of a job that keeps one pace', () => {
    expect(feed(() => 40, 120_000).ratePerSecond).toBeCloseTo(40, 6);
  });

  it('tracks the current rate of a job that speeds up, not its past average', () => {
    // 10 items/s rising by 1 item/s every 10 s: 70 items/s at 10 minutes, 40 on average.
    const sample = feed((t) => 10 + t / 10_000, 600_000);
    expect(sample.ratePerSecond).toBeGreaterThan(65);
    expect(sample.ratePerSecond).toBeLessThan(75);
  });

  it('ignores a write at the same instant as the previous one', () => {
    const sample = feed(() => 40, 20_000);
    expect(nextRate(sample, sample.atMs, sample.count + 5, 0, INTERVAL_MS)).toBe(sample);
  });
});

describe('nextEnsemble', () => {
  it('settles on the rate of a job that keeps one pace', () => {
    expect(run(() => 40, 300_000).ratePerSecond).toBeCloseTo(40, 0);
  });

  it('follows a job that changed pace for good, once its history shows the new pace holds', () => {
    // 50 items/s for 2 minutes, then 10 items/s for 8: the average since start is 18.
    const state = run((t) => (t < 120_000 ? 50 : 10), 600_000);
    expect(state.ratePerSecond).toBeGreaterThan(9);
    expect(state.ratePerSecond).toBeLessThan(13);
  });

  it('keeps the average of a job whose pace swings around a steady mean', () => {
    // 15 s at 80 items/s, 15 s at 0, again and again: 40 items/s on average, pauses included.
    const state = run((t) => (t % 30_000 < 15_000 ? 80 : 0), 900_000);
    expect(state.ratePerSecond).toBeGreaterThan(34);
    expect(state.ratePerSecond).toBeLessThan(46);
  });

  it('takes one long stall for an incident once the job goes on at its old pace', () => {
    // 40 items/s, 5 minutes of nothing at 2 minutes, then 40 items/s again for 6 minutes.
    const state = run((t) => (t >= 120_000 && t < 420_000 ? 0 : 40), 780_000);
    expect(state.pausedMs).toBeGreaterThan(290_000);
    expect(state.ratePerSecond).toBeGreaterThan(34);
  });

  it('ignores a write at the same instant as the previous one', () => {
    const state = run(() => 40, 20_000);
    expect(nextEnsemble(state, state.atMs, state.count + 5, INTERVAL_MS)).toBe(state);
  });
});

describe('estimateFinish with the prior of earlier jobs', () => {
  const typical = {
    name: 'import',
    queue: null,
    samples: 20,
    medianMs: 240_000,
    lowMs: 200_000,
    highMs: 300_000,
    ratePerSecond: 5,
  };
  const base = {
    total: 1_000,
    startedAt: new Date(0),
    updatedAt: new Date(10_000),
    intervalMs: 2_000,
  };

  it('gives a started job with no progress yet the usual rate', () => {
    expect(estimateFinish({ ...base, count: 0, ratePerSecond: null }, 10_000, typical)).toBe(210_000);
    expect(estimateFinish({ ...base, count: 0, ratePerSecond: null }, 10_000)).toBeNull();
  });

  it('leans on the prior while the job has done little, and on its own rate as it goes', () => {
    // Its own rate says 50 items/s, the prior 5: at 1 % it is mostly the prior...
    const early = estimateFinish({ ...base, count: 10, ratePerSecond: 50 }, 10_000, typical) as number;
    const ownEarly = estimateFinish({ ...base, count: 10, ratePerSecond: 50 }, 10_000) as number;
    expect(early - 10_000).toBeGreaterThan(0.8 * (990 / 5) * 1000);
    expect(ownEarly - 10_000).toBeCloseTo((990 / 50) * 1000, 0);
    // ...at 90 % mostly its own.
    const late = estimateFinish({ ...base, count: 900, ratePerSecond: 50 }, 10_000, typical) as number;
    expect(late - 10_000).toBeLessThan(1.2 * 2_000 + 0.1 * 20_000);
  });

  it('ignores a prior of fewer than three earlier jobs', () => {
    const thin = { ...typical, samples: 2 };
    const input = { ...base, count: 100, ratePerSecond: 50 };
    expect(estimateFinish(input, 10_000, thin)).toBe(estimateFinish(input, 10_000));
  });
});
