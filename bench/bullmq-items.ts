import type { BenchContext } from './lib/context.js';
import { compareWorkers } from './lib/bullmq-run.js';
import { cpuWork } from './lib/cpu-work.js';
import { atLeast, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median } from './lib/stats.js';

const JOBS = 2_000;
const ITEMS = 1_000;
const ITEM_MICROS = 2;
const CONCURRENCY = 50;
const ROUNDS = 5;
const BAR = 0.97;

/** Bar 3: realistic jobs, a tick per item, against a plain Worker with no progress at all. */
export const bullmqItemsBenchmark: Benchmark = {
  name: 'bullmq-items',
  description: `BullMQ: ${JOBS} jobs of ${ITEMS} items (~${ITEM_MICROS} µs each), ProgressWorker vs Worker`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const work = cpuWork(ITEM_MICROS);
    const result = await compareWorkers(context, 'items', ROUNDS, {
      jobs: JOBS,
      concurrency: CONCURRENCY,
      items: ITEMS,
      item: work.item,
    });
    return [
      {
        id: 'bullmq.items',
        what: `BullMQ, ${fmt(JOBS)} jobs × ${fmt(ITEMS)} items (~${ITEM_MICROS} µs CPU each), concurrency ${CONCURRENCY}: ProgressWorker (a tick per item) ÷ Worker (median of ${ROUNDS} paired rounds)`,
        measured: `${fmt(result.ratio, 3)} (${fmt(result.progressJobsPerSecond)} vs ${fmt(result.plainJobsPerSecond)} jobs/s; CPU per job ${fmt(result.progressCpuMicrosPerJob)} vs ${fmt(result.plainCpuMicrosPerJob)} µs)`,
        value: result.ratio,
        bar: `≥ ${BAR}`,
        pass: atLeast(result.ratio, BAR),
        details: {
          ...result,
          fieldsPerItem: work.fields,
          checksum: work.checksum(),
          // What an item really cost while the benchmark ran (the machine may be busier than at calibration).
          plainCpuMicrosPerItem:
            median(result.plain.map((run) => run.workerCpuMicrosPerJob)) / ITEMS,
        },
      },
    ];
  },
};
