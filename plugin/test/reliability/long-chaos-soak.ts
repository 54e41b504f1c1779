/**
 * The long chaos soak (issue 17): 10,000 jobs across 4 worker processes for 10 minutes of
 * faults, Redis SIGKILLed and restarted on its AOF or a worker SIGKILLed every 2–5 s. CI runs
 * the 60-second version (chaos-soak.test.ts); this one is run by hand and its result goes in
 * BENCHMARKS.md:
 *
 *   npm run soak -w progressrus                 # 10 minutes
 *   npm run soak -w progressrus -- 2            # minutes of faults
 *
 * Jobs tick every 60–180 ms so that 10,000 of them outlast the faults. Exits 1 on any mismatch.
 */
import { runChaosSoak } from './chaos-soak.js';

const minutes = Number(process.argv[2] ?? 10);
const result = await runChaosSoak({
  jobs: 10_000,
  faultsForMs: minutes * 60_000,
  tickMs: [60, 180],
  settleMs: 600_000,
  seed: 2026,
  log: (line) => console.error(`  ${line}`),
});
console.log(
  `chaos soak: ${result.jobs} jobs (${result.completed} completed, ${result.failed} failed) in ${result.seconds.toFixed(0)} s; faults: ${result.redisRestarts} Redis restarts, ${result.workerKills} worker kills; mismatches: ${result.mismatches.length}`,
);
for (const line of result.mismatches.slice(0, 20)) console.log(`  ${line}`);
process.exit(result.mismatches.length === 0 ? 0 : 1);
