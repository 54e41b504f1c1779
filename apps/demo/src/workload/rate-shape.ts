import type { RateShape } from './job-plan.js';

/** Length of one fast-or-slow phase of a `bursty` job. */
const BURST_MS = 6000;

/**
 * The factor on a job's base rate, by how far it is (`fraction`, 0–1) and how long it has run.
 * The factors change smoothly enough for a smoothed rate to follow, and strongly enough that a
 * straight-line ETA is visibly wrong.
 */
export function rateFactor(shape: RateShape, fraction: number, elapsedMs: number): number {
  switch (shape) {
    case 'steady':
      return 1;
    case 'speeds-up':
      return 0.3 + 1.7 * fraction;
    case 'slows-down':
      return 2 - 1.7 * fraction;
    case 'bursty':
      return Math.floor(elapsedMs / BURST_MS) % 2 === 0 ? 1.6 : 0.4;
  }
}
