import { MemoryStore } from 'progressrus';
import { seededRandom } from 'progressrus/testing';
import type { BenchContext } from './lib/context.js';
import { DEMO_TEMPLATES, demoJobOf, demoPlanProfile } from './lib/demo-profiles.js';
import { simulateJob } from './lib/eta-simulation.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median } from './lib/stats.js';

/** Earlier jobs of the same name before each judged one. */
const HISTORY = 20;
/** Judged jobs per name in each half. */
const JUDGED = 6;
const RATIO_BAR = 0.5;
const EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * The ETA's prior: jobs drawn from the demo workload's templates, each name with 20 earlier
 * jobs of that name completed in the same store, then judged at 5 % of its items, where the
 * job's own evidence is thinnest. Progressrus reads `Tick.eta(now, store.typicalDuration(name))`;
 * the straight line reads the same record. Held-back seeds unless `ETA_HALF=tuning`.
 */
export const etaPriorBenchmark: Benchmark = {
  name: 'eta-prior',
  description: `ETA at 5 % with ${HISTORY} earlier jobs of the same name (demo workload)`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const half = process.env.ETA_HALF === 'tuning' ? 'tuning' : 'held-back';
    const progressrus: number[] = [];
    const own: number[] = [];
    const straightLine: number[] = [];
    const names = new Set<string>();
    // One store per name: the earlier jobs, then the judged ones, each judged against the
    // history before it (judged jobs complete too, as they would).
    for (let template = 0; template < DEMO_TEMPLATES; template++) {
      const random = seededRandom(700_000 + template * 1_000 + (half === 'tuning' ? 0 : 500));
      const first = demoJobOf(template, random);
      names.add(first.name);
      const clock = { nowMs: EPOCH_MS };
      const store = new MemoryStore({ now: () => clock.nowMs });
      const sameName = () => demoJobOf(template, random);
      for (let i = 0; i < HISTORY; i++) {
        await simulateJob(demoPlanProfile(sameName().data), { name: first.name, id: `h${i}`, store, clock });
      }
      for (let i = 0; i < JUDGED; i++) {
        const [at5] = await simulateJob(demoPlanProfile(sameName().data), { name: first.name, id: `j${i}`, store, clock });
        if (!at5) continue;
        progressrus.push(at5.progressrusError);
        own.push(at5.ownError);
        straightLine.push(at5.straightLineError);
      }
    }
    const ratio = median(progressrus) / median(straightLine);
    context.log(`eta-prior: with prior ${pct(median(progressrus))}, without ${pct(median(own))}, straight line ${pct(median(straightLine))}`);
    return [
      {
        id: 'eta.prior',
        what: `ETA at 5 % of jobs drawn from the demo workload (${names.size} names, ${progressrus.length} jobs, ${half} seeds), ${HISTORY} earlier jobs of the same name: median error, Progressrus with the prior ÷ straight line`,
        measured: `${pct(median(progressrus))} ÷ ${pct(median(straightLine))} = ${fmt(ratio, 2)} (without the prior ${pct(median(own))})`,
        value: ratio,
        bar: `≤ ${RATIO_BAR}`,
        pass: atMost(ratio, RATIO_BAR),
        details: { progressrus: median(progressrus), own: median(own), straightLine: median(straightLine), names: [...names] },
      },
    ];
  },
};

function pct(value: number): string {
  return `${fmt(value * 100, 1)} %`;
}
