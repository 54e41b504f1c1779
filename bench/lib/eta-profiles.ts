/**
 * Rate profiles for the ETA benchmark: how many items per second a synthetic job does, as a
 * function of simulated time and progress. A family draws its parameters (base rate, length,
 * where a change happens, how strong) from a seeded random source, so one seed is one
 * reproducible job and a family is as wide as its seeds. The ETA is tuned on one half of the
 * seeds and judged on the other (see `eta.ts`), so no family rewards fitting its own seeds.
 */
export interface JobProfile {
  /** Items to do. */
  readonly total: number;
  /** Items per second at `tMs` after the start, with `done` items done. */
  rateAt(tMs: number, done: number): number;
}

export interface ProfileFamily {
  readonly name: string;
  readonly description: string;
  /** Seeds in each half; @default SEEDS_PER_HALF of `eta.ts` */
  readonly seedsPerHalf?: number;
  /** One job of the family: `index` counts from 0 within `half`. */
  make(random: () => number, index: number, half: 'tuning' | 'held-back'): JobProfile;
}

/** Between `min` and `max`, uniformly. */
export function between(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/** A standard normal draw (Box–Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Base rate and nominal duration shared by the synthetic families: 2 to 20 minutes, 5 to 500 items/s. */
function base(random: () => number): { rate: number; seconds: number } {
  return {
    rate: Math.exp(between(random, Math.log(5), Math.log(500))),
    seconds: between(random, 120, 1200),
  };
}

/**
 * A multiplier that changes every `slotMs` of simulated time, from `draw`. Draws happen in
 * time order as the simulation asks, so a seed gives the same sequence every run.
 */
function perSlot(slotMs: number, draw: () => number): (tMs: number) => number {
  let slot = -1;
  let value = 1;
  return (tMs) => {
    const current = Math.floor(tMs / slotMs);
    while (slot < current) {
      value = draw();
      slot += 1;
    }
    return value;
  };
}

/** A job whose rate is `rate × factor(done / total)`; total from the nominal duration. */
function byProgress(
  random: () => number,
  factor: (fraction: number) => number,
  share = 1,
): JobProfile {
  const { rate, seconds } = base(random);
  const total = Math.round(rate * seconds * share);
  return { total, rateAt: (_tMs, done) => rate * factor(done / total) };
}

/** A job whose rate is `rate × factor(t / nominal duration)`. */
function byTime(random: () => number, factor: (share: number) => number, share = 1): JobProfile {
  const { rate, seconds } = base(random);
  return {
    total: Math.round(rate * seconds * share),
    rateAt: (tMs) => rate * factor(tMs / 1000 / seconds),
  };
}

/** One change of pace by `factor` at a random 15–75 % of the items. */
function step(random: () => number, factor: number): JobProfile {
  const at = between(random, 0.15, 0.75);
  return byProgress(random, (fraction) => (fraction < at ? 1 : factor));
}

export const SYNTHETIC_FAMILIES: readonly ProfileFamily[] = [
  {
    name: 'constant',
    description: 'the same rate throughout',
    make: (random) => byProgress(random, () => 1),
  },
  {
    name: 'noisy',
    description:
      'rate varies ±60 % (log-normal) from one second to the next, around a slowly drifting mean',
    make(random) {
      const { rate, seconds } = base(random);
      const sigma = 0.6;
      const fast = perSlot(1_000, () => Math.exp(sigma * gaussian(random) - (sigma * sigma) / 2));
      // A slow wander of ±20 % over tens of seconds, as a shared machine or a remote API gives.
      let level = 0;
      const slow = perSlot(10_000, () => {
        level = 0.7 * level + 0.3 * 0.2 * gaussian(random);
        return Math.exp(level);
      });
      return { total: Math.round(rate * seconds), rateAt: (tMs) => rate * fast(tMs) * slow(tMs) };
    },
  },
  {
    name: 'warm-up',
    description:
      'starts at a fifth to a half of its pace and reaches it within 5–25 % of the job (caches, JIT, connection pools)',
    make(random) {
      const start = between(random, 0.2, 0.5);
      const tau = between(random, 0.02, 0.08);
      return byTime(random, (share) => start + (1 - start) * (1 - Math.exp(-share / tau)), 0.95);
    },
  },
  {
    name: 'acceleration',
    description: 'rate grows linearly in time to 2–5× its start (items getting smaller)',
    make(random) {
      const growth = between(random, 1, 4);
      return byTime(random, (share) => 1 + growth * share, 1 + growth / 2);
    },
  },
  {
    name: 'long tail',
    description:
      'steady, then the last 5–30 % of the items at 5–30 % of the pace (stragglers, retries of hard items)',
    make(random) {
      const tailFrom = 1 - between(random, 0.05, 0.3);
      const slow = between(random, 0.05, 0.3);
      return byProgress(random, (fraction) => (fraction < tailFrom ? 1 : slow), 0.8);
    },
  },
  {
    name: 'steady decay',
    description:
      'rate falls to 10–40 % of its start: linearly with items done (growing tables) or exponentially in time (throttling)',
    make(random) {
      const end = between(random, 0.1, 0.4);
      if (random() < 0.5) return byProgress(random, (fraction) => 1 - (1 - end) * fraction, 0.6);
      const tau = between(random, 0.3, 0.6);
      return byTime(random, (share) => Math.max(end, Math.exp(-share / tau)), 0.45);
    },
  },
  {
    name: 'step slowdown',
    description: 'one pace until a random 15–75 % of the items, then 2–5× slower',
    make: (random) => step(random, 1 / between(random, 2, 5)),
  },
  {
    name: 'step speed-up',
    description: 'one pace until a random 15–75 % of the items, then 2–5× faster',
    make: (random) => step(random, between(random, 2, 5)),
  },
  {
    name: 'halving',
    description: 'the rate halves at a random 30–70 % of the items',
    make(random) {
      const at = between(random, 0.3, 0.7);
      return byProgress(random, (fraction) => (fraction < at ? 1 : 0.5));
    },
  },
  {
    name: 'doubling',
    description: 'the rate doubles at a random 30–70 % of the items',
    make(random) {
      const at = between(random, 0.3, 0.7);
      return byProgress(random, (fraction) => (fraction < at ? 1 : 2));
    },
  },
  {
    name: 'periodic pauses',
    description:
      'work for 20–120 s, then nothing for 8–60 s, again and again (a rate limit, a cron window)',
    make(random) {
      const { rate, seconds } = base(random);
      const workMs = between(random, 20, 120) * 1000;
      const pauseMs = between(random, 8, 60) * 1000;
      return {
        total: Math.round(rate * seconds),
        rateAt: (tMs) => (tMs % (workMs + pauseMs) < workMs ? rate : 0),
      };
    },
  },
  {
    name: 'bursts',
    description:
      'work in bursts of 5–20 s at a high rate, with 5–30 s of nothing between (batches fetched from an API)',
    make(random) {
      const { rate, seconds } = base(random);
      const activeMs = between(random, 5, 20) * 1000;
      const idleMs = between(random, 5, 30) * 1000;
      const cycleMs = activeMs + idleMs;
      const burstRate = (rate * cycleMs) / activeMs;
      // Each cycle's lengths jitter ±30 %, so bursts do not line up with write intervals.
      const jitter = perSlot(cycleMs, () => between(random, 0.7, 1.3));
      return {
        total: Math.round(rate * seconds),
        rateAt: (tMs) => (tMs % cycleMs < activeMs * jitter(tMs) ? burstRate : 0),
      };
    },
  },
  {
    name: 'mid-job stall',
    description:
      'steady, then no progress at all for 20–50 % of the nominal duration, then steady again',
    make(random) {
      const { rate, seconds } = base(random);
      const total = Math.round(rate * seconds);
      const stallAt = Math.round(between(random, 0.15, 0.6) * total);
      const stallMs = between(random, 0.2, 0.5) * seconds * 1000;
      let stallStartMs: number | null = null;
      return {
        total,
        rateAt(tMs, done) {
          if (done < stallAt) return rate;
          stallStartMs ??= tMs;
          return tMs < stallStartMs + stallMs ? 0 : rate;
        },
      };
    },
  },
  {
    name: 'random walk',
    description:
      'log rate takes a Gaussian step (σ 0.05–0.2) every 5–20 s, with no pull back to any mean',
    make(random) {
      const { rate, seconds } = base(random);
      const sigma = between(random, 0.05, 0.2);
      let level = 0;
      const walk = perSlot(between(random, 5, 20) * 1000, () => {
        level += sigma * gaussian(random);
        return Math.exp(level);
      });
      return { total: Math.round(rate * seconds), rateAt: (tMs) => rate * walk(tMs) };
    },
  },
  {
    name: 'sawtooth',
    description:
      'rate climbs from a fifth of its peak to the peak over 30–180 s, then drops back, again and again',
    make(random) {
      const { rate, seconds } = base(random);
      const periodMs = between(random, 30, 180) * 1000;
      const low = between(random, 0.1, 0.4);
      return {
        total: Math.round(rate * seconds * ((1 + low) / 2)),
        rateAt: (tMs) => rate * (low + (1 - low) * ((tMs % periodMs) / periodMs)),
      };
    },
  },
];
