import { describe, expect, it } from 'vitest';
import { nextRate, type RateSample } from '../src/core/rate.js';

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

  it('keeps the rate through a stall longer than the smoothing window', () => {
    const before = feed(() => 40, 120_000);
    // Ten minutes without a write, then the tick that resumes the job writes at once.
    const after = nextRate(before, 720_000, before.count + 1, 0, INTERVAL_MS);
    expect(after.ratePerSecond).toBe(before.ratePerSecond);
    expect(after).toMatchObject({ atMs: 720_000, count: before.count + 1 });
  });

  it('averages a short pause in, as part of the pace of a job that works in bursts', () => {
    const before = feed(() => 40, 600_000);
    // 30 s of nothing, well within the window of a 10-minute-old job (2.5 min).
    const after = nextRate(before, 630_000, before.count + 1, 0, INTERVAL_MS);
    expect(after.ratePerSecond).toBeLessThan(35);
  });

  it('ignores a write at the same instant as the previous one', () => {
    const sample = feed(() => 40, 20_000);
    expect(nextRate(sample, sample.atMs, sample.count + 5, 0, INTERVAL_MS)).toBe(sample);
  });
});
