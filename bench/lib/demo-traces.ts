import { readFileSync } from 'node:fs';
import type { JobProfile } from './eta-profiles.js';

/** One demo job as recorded by `record-demo-traces.ts`. */
export interface TracedJob {
  readonly name: string;
  readonly queue: string;
  readonly shape: string;
  readonly items: number;
  readonly stall: { readonly at: number; readonly ms: number } | null;
  /** [ms since the previous tick, items since the previous tick], flat, from the processor's start. */
  readonly deltas: readonly number[];
}

export interface DemoTraces {
  readonly recordedAt: string;
  /** How the traces were recorded. */
  readonly how: string;
  readonly jobs: readonly TracedJob[];
}

let cached: DemoTraces | null = null;

export function demoTraces(): DemoTraces {
  cached ??= JSON.parse(
    readFileSync(new URL('../fixtures/demo-traces.json', import.meta.url), 'utf8'),
  ) as DemoTraces;
  return cached;
}

/**
 * Replays a recorded job as a profile: its items arrive at the recorded moments. The rate
 * between two ticks is what makes the simulation's carry reach each tick's items at its time.
 */
export function replay(job: TracedJob): JobProfile {
  const times: number[] = [];
  const counts: number[] = [];
  let t = 0;
  let count = 0;
  for (let i = 0; i < job.deltas.length; i += 2) {
    t += job.deltas[i] as number;
    count += job.deltas[i + 1] as number;
    times.push(t);
    counts.push(count);
  }
  return {
    total: count,
    rateAt(tMs, done) {
      // Items due by the end of this 100 ms step and not yet done, spread over the step.
      let due = 0;
      for (let i = 0; i < times.length && (times[i] as number) <= tMs + 100; i++)
        due = counts[i] as number;
      return Math.max(0, (due - done) * 10);
    },
  };
}
