import { seededRandom } from 'progressrus/testing';
import type { BenchContext } from './lib/context.js';
import { DEMO_FAMILIES } from './lib/demo-profiles.js';
import { type ProfileFamily, SYNTHETIC_FAMILIES } from './lib/eta-profiles.js';
import { type Estimate, simulateJob } from './lib/eta-simulation.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median } from './lib/stats.js';

/** Jobs per family in each half; families with fewer distinct jobs (recorded traces) say so. */
const SEEDS_PER_HALF = 16;
const RATIO_BAR = 0.5;
const CONSTANT_SLACK = 0.01;
const FAMILY_FACTOR = 1.1;
const FAMILY_SLACK = 0.02;

export const ETA_FAMILIES: readonly ProfileFamily[] = [...SYNTHETIC_FAMILIES, ...DEMO_FAMILIES];

/**
 * Which half of the seeds to run: `held-back` (the default, what the table reports) or
 * `tuning` (`ETA_HALF=tuning npm run bench -- eta`), the only half any constant of the ETA was
 * chosen on.
 */
function half(): 'tuning' | 'held-back' {
  return process.env.ETA_HALF === 'tuning' ? 'tuning' : 'held-back';
}

/** Every family's jobs of one half, simulated; readings at 5 % to 90 %. */
export async function runFamilies(which: 'tuning' | 'held-back'): Promise<Map<string, Estimate[]>> {
  const byFamily = new Map<string, Estimate[]>();
  for (const [familyIndex, family] of ETA_FAMILIES.entries()) {
    const seeds = family.seedsPerHalf ?? SEEDS_PER_HALF;
    const estimates: Estimate[] = [];
    for (let index = 0; index < seeds; index++) {
      // Disjoint seeds per half: the held-back jobs are never drawn while tuning.
      const seed = 100_000 * (familyIndex + 1) + (which === 'tuning' ? 0 : 50_000) + index;
      estimates.push(...(await simulateJob(family.make(seededRandom(seed), index, which))));
    }
    byFamily.set(family.name, estimates);
  }
  return byFamily;
}

/**
 * Bar 6: ETA accuracy of Progressrus (read through `Tick.eta` from the record its Progresser
 * wrote) against the straight line (the Ruby gem's average rate since start), over a wide
 * seeded family of synthetic jobs and real demo jobs on a simulated clock, read at 5 % to 90 %.
 * The table reports the held-back half of the seeds.
 */
export const etaBenchmark: Benchmark = {
  name: 'eta',
  description: `ETA error against the straight line, ${ETA_FAMILIES.length} families, held-back seeds`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const which = half();
    const byFamily = await runFamilies(which);
    const rows: BenchRow[] = [];
    for (const [name, estimates] of byFamily) {
      const progressrus = median(estimates.map((e) => e.progressrusError));
      const straightLine = median(estimates.map((e) => e.straightLineError));
      const details = {
        progressrus,
        straightLine,
        readings: estimates.length,
        byCheckpoint: byCheckpoint(estimates),
      };
      context.log(
        `eta ${name}: Progressrus ${pct(progressrus)}, straight line ${pct(straightLine)}`,
      );
      if (name === 'constant') {
        rows.push({
          id: 'eta.constant',
          what: 'ETA, constant rate: median error, Progressrus vs straight line',
          measured: `${pct(progressrus)} vs ${pct(straightLine)}`,
          value: progressrus - straightLine,
          bar: `≤ straight line + ${CONSTANT_SLACK * 100} pt`,
          pass: atMost(progressrus - straightLine, CONSTANT_SLACK),
          details,
        });
        continue;
      }
      const bar = Math.max(FAMILY_FACTOR * straightLine, straightLine + FAMILY_SLACK);
      rows.push({
        id: `eta.${name.replaceAll(' ', '-')}`,
        what: `ETA, ${name} (${estimates.length} readings): median error, Progressrus vs straight line`,
        measured: `${pct(progressrus)} vs ${pct(straightLine)} (ratio ${fmt(progressrus / straightLine, 2)})`,
        value: progressrus,
        bar: `≤ max(${FAMILY_FACTOR}× straight line, straight line + ${FAMILY_SLACK * 100} pt) = ${pct(bar)}`,
        pass: atMost(progressrus, bar),
        details,
      });
    }
    const pooled = [...byFamily.values()].flat();
    const progressrus = median(pooled.map((e) => e.progressrusError));
    const straightLine = median(pooled.map((e) => e.straightLineError));
    const ratio = progressrus / straightLine;
    rows.unshift({
      id: 'eta.pooled',
      what: `ETA, ${byFamily.size} families pooled (${pooled.length} readings, ${which} seeds): median error, Progressrus ÷ straight line`,
      measured: `${pct(progressrus)} ÷ ${pct(straightLine)} = ${fmt(ratio, 2)}`,
      value: ratio,
      bar: `≤ ${RATIO_BAR}`,
      pass: atMost(ratio, RATIO_BAR),
      details: { progressrus, straightLine, half: which, seedsPerHalf: SEEDS_PER_HALF },
    });
    return rows;
  },
};

function byCheckpoint(
  estimates: readonly Estimate[],
): Record<string, { progressrus: number; straightLine: number }> {
  return Object.fromEntries(
    [...new Set(estimates.map((e) => e.checkpoint))].map((checkpoint) => {
      const at = estimates.filter((e) => e.checkpoint === checkpoint);
      return [
        checkpoint,
        {
          progressrus: median(at.map((e) => e.progressrusError)),
          straightLine: median(at.map((e) => e.straightLineError)),
        },
      ];
    }),
  );
}

function pct(value: number): string {
  return `${fmt(value * 100, 1)} %`;
}
