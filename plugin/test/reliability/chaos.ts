/**
 * The long chaos soak, run by hand (not by `npm test`):
 *
 *   npx tsx plugin/test/reliability/chaos.ts [minutes = 10] [jobs = 10000]
 *
 * Faults go on for the given minutes or until every job is done; prints a table for
 * BENCHMARKS.md and exits 1 on any mismatch. The 60-second version runs in CI
 * (chaos-soak.test.ts).
 */
import { runChaosSoak } from './chaos-soak.js';

const minutes = Number(process.argv[2] ?? 10);
const jobs = Number(process.argv[3] ?? 10_000);
const result = await runChaosSoak({
  jobs,
  faultsForMs: minutes * 60_000,
  // Enough faults to matter over the whole run, however many jobs.
  faultEveryMs: [2000, 6000],
  log: (line) => console.error(`  ${line}`),
});
console.log('| jobs | completed | failed | Redis restarts | worker kills | time | mismatches |');
console.log('|---|---|---|---|---|---|---|');
console.log(
  `| ${result.jobs.toLocaleString('en')} | ${result.completed.toLocaleString('en')} | ${result.failed} | ${result.redisRestarts} | ${result.workerKills} | ${result.seconds.toFixed(0)} s | ${result.mismatches.length} |`,
);
for (const line of result.mismatches.slice(0, 20)) console.log(`  ${line}`);
process.exit(result.mismatches.length === 0 ? 0 : 1);
