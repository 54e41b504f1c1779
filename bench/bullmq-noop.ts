import type { BenchContext } from './lib/context.js';
import { compareWorkers } from './lib/bullmq-run.js';
import { writeCostPerJob } from './lib/write-cost.js';
import { atLeast, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt } from './lib/stats.js';

const JOBS = 20_000;
const CONCURRENCY = 50;
const ROUNDS = 5;
const BAR = 0.9;

/** Bar 4: no-op jobs, where BullMQ's own few round trips per job are all the cost there is. */
export const bullmqNoopBenchmark: Benchmark = {
  name: 'bullmq-noop',
  description: `BullMQ: ${JOBS} no-op jobs, ProgressWorker vs Worker`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const result = await compareWorkers(context, 'no-op', ROUNDS, {
      jobs: JOBS,
      concurrency: CONCURRENCY,
      items: 0,
      item: () => {},
    });
    const cost = await writeCostPerJob(context);
    return [
      {
        id: 'bullmq.noop',
        what: `BullMQ, ${fmt(JOBS)} no-op jobs, concurrency ${CONCURRENCY}: ProgressWorker ÷ Worker (median of ${ROUNDS} paired rounds)`,
        measured: `${fmt(result.ratio, 3)} (${fmt(result.progressJobsPerSecond)} vs ${fmt(result.plainJobsPerSecond)} jobs/s; CPU per job ${fmt(result.progressCpuMicrosPerJob)} vs ${fmt(result.plainCpuMicrosPerJob)} µs; measured apart, a job's Progresser costs ${fmt(cost.progresserMicros)} µs and its RedisStore write ${fmt(cost.redisWriteMicros)} µs)`,
        value: result.ratio,
        bar: `≥ ${BAR}`,
        pass: atLeast(result.ratio, BAR),
        details: { ...result, ...cost },
      },
    ];
  },
};
