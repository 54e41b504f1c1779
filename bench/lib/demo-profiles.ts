import { type DemoJobData, TEMPLATES } from '../../apps/demo/src/workload/job-plan.js';
import { rateFactor } from '../../apps/demo/src/workload/rate-shape.js';
import { demoTraces, replay } from './demo-traces.js';
import type { JobProfile, ProfileFamily } from './eta-profiles.js';

const TEMPLATE_LIST = Object.values(TEMPLATES);

/**
 * A demo job's plan, run on the simulated clock with the demo processor's own rate logic
 * (`rateFactor` of its shape, its stall); the attempt that succeeds, its own items only.
 */
export function demoPlanProfile(data: DemoJobData): JobProfile {
  let stallStartMs: number | null = null;
  return {
    total: data.items,
    rateAt(tMs, done) {
      const fraction = done / data.items;
      if (data.stall && fraction >= data.stall.at) {
        stallStartMs ??= tMs;
        if (tMs < stallStartMs + data.stall.ms) return 0;
      }
      return data.ratePerSecond * rateFactor(data.shape, fraction, tMs);
    },
  };
}

/** The number of the demo's job templates (one job name each). */
export const DEMO_TEMPLATES = TEMPLATE_LIST.length;

/** One job of template `index`, its sizes drawn as the demo's producer draws them. */
export function demoJobOf(index: number, random: () => number): { name: string; data: DemoJobData } {
  const template = TEMPLATE_LIST[index % TEMPLATE_LIST.length] as (typeof TEMPLATE_LIST)[number];
  const job = template(1, random);
  return { name: job.name, data: job.data };
}

/** One job drawn from the demo's templates, as its producer draws them. */
export function drawDemoJob(random: () => number): { name: string; data: DemoJobData } {
  const template = TEMPLATE_LIST[
    Math.floor(random() * TEMPLATE_LIST.length)
  ] as (typeof TEMPLATE_LIST)[number];
  const job = template(1, random);
  return { name: job.name, data: job.data };
}

export const DEMO_FAMILIES: readonly ProfileFamily[] = [
  {
    name: 'demo plans',
    description:
      "jobs drawn from the demo workload's templates, run with its processor's rate logic on the simulated clock",
    make: (random) => demoPlanProfile(drawDemoJob(random).data),
  },
  {
    name: 'demo traces',
    description:
      'recorded (time, count) traces of real demo jobs (bench/fixtures/demo-traces.json): even-numbered ones tune, odd-numbered ones judge',
    seedsPerHalf: 10,
    make(_random, index, half) {
      const jobs = demoTraces().jobs;
      const job = jobs[(2 * index + (half === 'tuning' ? 0 : 1)) % jobs.length];
      if (!job) throw new Error('bench/fixtures/demo-traces.json holds no jobs');
      return replay(job);
    },
  },
];
