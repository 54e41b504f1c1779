import type { BenchContext } from './lib/context.js';
import { PROFILES } from './lib/eta-profiles.js';
import { type Estimate, simulateJob } from './lib/eta-simulation.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, seededRandom } from './lib/stats.js';

const SEEDS = 16;
const RATIO_BAR = 0.5;
const CONSTANT_SLACK = 0.01;

/**
 * Bar 6: ETA accuracy of Progressrus (smoothed rate, read through `Tick.eta`) against the
 * straight line (average rate since start, as the Ruby gem), over synthetic jobs on a
 * simulated clock, `SEEDS` random jobs per profile, read at 10, 25, 50 and 75 % progress.
 */
export const etaBenchmark: Benchmark = {
  name: 'eta',
  description: 'ETA error against the straight line, 7 rate profiles on a simulated clock',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const byProfile = new Map<string, Estimate[]>();
    for (const [index, kind] of PROFILES.entries()) {
      const estimates: Estimate[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        estimates.push(...(await simulateJob(kind.make(seededRandom(1_000 * (index + 1) + seed)))));
      }
      byProfile.set(kind.name, estimates);
    }
    const rows: BenchRow[] = [];
    const perProfile: Record<string, unknown> = {};
    for (const [name, estimates] of byProfile) {
      const progressrus = median(estimates.map((e) => e.progressrusError));
      const straightLine = median(estimates.map((e) => e.straightLineError));
      const byCheckpoint = Object.fromEntries(
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
      perProfile[name] = { progressrus, straightLine, byCheckpoint };
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
          details: { progressrus, straightLine, byCheckpoint },
        });
      } else {
        rows.push({
          id: `eta.${name.replaceAll(' ', '-')}`,
          what: `ETA, ${name}: median error, Progressrus vs straight line`,
          measured: `${pct(progressrus)} vs ${pct(straightLine)} (ratio ${fmt(progressrus / straightLine, 2)})`,
          value: progressrus / straightLine,
          bar: 'reported',
          pass: null,
          details: { progressrus, straightLine, byCheckpoint },
        });
      }
    }
    const pooled = [...byProfile]
      .filter(([name]) => name !== 'constant')
      .flatMap(([, estimates]) => estimates);
    const progressrus = median(pooled.map((e) => e.progressrusError));
    const straightLine = median(pooled.map((e) => e.straightLineError));
    const ratio = progressrus / straightLine;
    rows.unshift({
      id: 'eta.pooled',
      what: `ETA, non-constant profiles pooled (${pooled.length} readings): median error, Progressrus ÷ straight line`,
      measured: `${pct(progressrus)} ÷ ${pct(straightLine)} = ${fmt(ratio, 2)}`,
      value: ratio,
      bar: `≤ ${RATIO_BAR}`,
      pass: atMost(ratio, RATIO_BAR),
      details: { progressrus, straightLine, seeds: SEEDS, perProfile },
    });
    return rows;
  },
};

function pct(value: number): string {
  return `${fmt(value * 100, 1)} %`;
}
