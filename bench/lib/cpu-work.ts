import { nowNs } from './stats.js';

let sink = 0;

/** A few arithmetic steps that the optimiser cannot drop, `iterations` times. */
function spin(iterations: number): void {
  let x = sink;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}

/**
 * A function doing about `micros` µs of CPU work, calibrated on this machine now: an item of
 * a realistic job (parse a row, compute a hash).
 */
export function cpuWork(micros: number): {
  readonly item: () => void;
  readonly iterations: number;
} {
  const probe = 2_000_000;
  spin(probe);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const start = nowNs();
    spin(probe);
    best = Math.min(best, nowNs() - start);
  }
  const iterations = Math.max(1, Math.round((probe * micros * 1000) / best));
  return { item: () => spin(iterations), iterations };
}
