/**
 * Rate profiles for the ETA benchmark: how many items per second a synthetic job does, as a
 * function of simulated time and progress. Each profile draws its parameters from a seeded
 * random source, so one seed is one reproducible job.
 */
export interface JobProfile {
  /** Items to do. */
  readonly total: number;
  /** Items per second at `tMs` after the start, with `done` items done. */
  rateAt(tMs: number, done: number): number;
}

export interface ProfileKind {
  readonly name: string;
  readonly description: string;
  make(random: () => number): JobProfile;
}

/** Between `min` and `max`, uniformly. */
function between(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Base rate and nominal duration shared by every profile: 2 to 20 minutes, 5 to 500 items/s. */
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

export const PROFILES: readonly ProfileKind[] = [
  {
    name: 'constant',
    description: 'the same rate throughout',
    make(random) {
      const { rate, seconds } = base(random);
      return { total: Math.round(rate * seconds), rateAt: () => rate };
    },
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
    name: 'speeding up',
    description:
      'rate grows to 3–5× its start: steadily (shrinking items) or quickly then levelling off (warming caches)',
    make(random) {
      const { rate, seconds } = base(random);
      const growth = between(random, 2, 4);
      if (random() < 0.5) {
        // r(t) = rate × (1 + growth × t / seconds): the job ends before `seconds`.
        return {
          total: Math.round(rate * seconds * (1 + growth / 2)),
          rateAt: (tMs) => rate * (1 + (growth * tMs) / 1000 / seconds),
        };
      }
      // r(t) = rate × (1 + growth × (1 − e^(−t/τ))), τ a tenth to a third of the nominal duration.
      const tauMs = between(random, 0.1, 0.33) * seconds * 1000;
      return {
        total: Math.round(rate * seconds * (1 + growth * 0.6)),
        rateAt: (tMs) => rate * (1 + growth * (1 - Math.exp(-tMs / tauMs))),
      };
    },
  },
  {
    name: 'slowing down',
    description:
      'rate falls to 10–30 % of its start: with each item done (growing tables) or decaying in time (throttling)',
    make(random) {
      const { rate, seconds } = base(random);
      const endShare = between(random, 0.1, 0.3);
      if (random() < 0.5) {
        // Linear in progress: rate × (1 − (1 − endShare) × done / total).
        const total = Math.round(rate * seconds * 0.6);
        return { total, rateAt: (_tMs, done) => rate * (1 - ((1 - endShare) * done) / total) };
      }
      // Exponential in time down to a floor: rate × max(endShare, e^(−t/τ)).
      const tauMs = between(random, 0.3, 0.6) * seconds * 1000;
      return {
        total: Math.round(rate * seconds * 0.45),
        rateAt: (tMs) => rate * Math.max(endShare, Math.exp(-tMs / tauMs)),
      };
    },
  },
  {
    name: 'phase change',
    description: 'one rate until 20–40 % of the items, then 3–5× slower or faster for the rest',
    make(random) {
      const { rate, seconds } = base(random);
      const at = between(random, 0.2, 0.4);
      const factor = between(random, 3, 5);
      const after = random() < 0.5 ? rate / factor : rate * factor;
      const total = Math.round(rate * seconds);
      return { total, rateAt: (_tMs, done) => (done < at * total ? rate : after) };
    },
  },
  {
    name: 'stall',
    description:
      'steady, then no progress at all for 20–50 % of the nominal duration, then steady again',
    make(random) {
      const { rate, seconds } = base(random);
      const total = Math.round(rate * seconds);
      const stallAt = Math.round(between(random, 0.15, 0.45) * total);
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
    name: 'bursty',
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
];
