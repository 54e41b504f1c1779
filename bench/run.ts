import { readFileSync, writeFileSync } from 'node:fs';
import { BenchContext } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import type { Benchmark, BenchRow } from './lib/result.js';
import { nowMs } from './lib/stats.js';
import { markdownTable } from './lib/table.js';
import { tickBenchmark } from './tick.js';
import { writesBenchmark } from './writes.js';
import { readsBenchmark } from './reads.js';
import { readsPostgresBenchmark } from './reads-postgres.js';
import { etaBenchmark } from './eta.js';
import { etaPriorBenchmark } from './eta-prior.js';
import { bullmqItemsBenchmark } from './bullmq-items.js';
import { bullmqNoopBenchmark } from './bullmq-noop.js';
import { updateProgressBenchmark } from './update-progress.js';
import { addBulkBenchmark } from './add-bulk.js';
import { viewersBenchmark } from './viewers.js';
import { adminLoadBenchmark } from './admin-load.js';

/** In the order of DESIGN §5. `npm run bench -- eta tick` runs only the named ones. */
const BENCHMARKS: readonly Benchmark[] = [
  tickBenchmark,
  writesBenchmark,
  bullmqItemsBenchmark,
  bullmqNoopBenchmark,
  updateProgressBenchmark,
  readsBenchmark,
  readsPostgresBenchmark,
  etaBenchmark,
  etaPriorBenchmark,
  addBulkBenchmark,
  viewersBenchmark,
  adminLoadBenchmark,
];

const RESULTS = new URL('./results.json', import.meta.url);

interface Results {
  machine: ReturnType<typeof describeMachine>;
  ranAt: string;
  benchmarks: Record<string, { ranAt: string; durationMs: number; rows: BenchRow[] }>;
}

async function main(names: readonly string[]): Promise<number> {
  const unknown = names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark ${unknown.join(', ')}; choose from: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  const selected =
    names.length === 0
      ? BENCHMARKS
      : BENCHMARKS.filter((benchmark) => names.includes(benchmark.name));
  const context = new BenchContext();
  const results = previousResults();
  const rows: BenchRow[] = [];
  try {
    for (const benchmark of selected) {
      console.error(`▶ ${benchmark.name}: ${benchmark.description}`);
      const start = nowMs();
      const benchmarkRows = await benchmark.run(context);
      const durationMs = Math.round(nowMs() - start);
      console.error(`  done in ${(durationMs / 1000).toFixed(1)} s`);
      rows.push(...benchmarkRows);
      results.benchmarks[benchmark.name] = {
        ranAt: new Date().toISOString(),
        durationMs,
        rows: benchmarkRows,
      };
    }
  } finally {
    await context.close();
  }
  results.machine = describeMachine();
  results.ranAt = new Date().toISOString();
  // A partial run keeps the other benchmarks' rows from earlier runs.
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(markdownTable(rows));
  const { cpus, cpuModel, memoryGiB, node, redis, loadAverage } = results.machine;
  console.log(
    `\n${cpus} × ${cpuModel}, ${memoryGiB} GiB, Node ${node}, Redis ${redis}; load average ${loadAverage.join(' / ')} (1 / 5 / 15 min) at the end`,
  );
  return rows.some((row) => row.pass === false) ? 1 : 0;
}

function previousResults(): Results {
  try {
    return JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
  } catch {
    return { machine: describeMachine(), ranAt: '', benchmarks: {} };
  }
}

process.exitCode = await main(process.argv.slice(2));
