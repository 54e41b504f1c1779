import { Queue } from 'bullmq';
import { RedisStore } from 'progressrus';
import { ProgressQueue } from 'progressrus/bullmq';
import type { BenchContext } from './lib/context.js';
import { atLeast, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, nowMs } from './lib/stats.js';

const JOBS = 10_000;
const ROUNDS = 7;
const BAR = 0.85;
const USERS = 100;

/**
 * `addBulk` of 10,000 jobs through ProgressQueue (a `queued` record per job, in the scope of
 * one of 100 users, default RedisStore on its own connection) against plain `Queue.addBulk`
 * of the same jobs. Each round adds to fresh queues, plain and progress in alternating order;
 * the ratio is plain time ÷ progress time, median over the rounds.
 */
export const addBulkBenchmark: Benchmark = {
  name: 'add-bulk',
  description: `addBulk of ${JOBS} jobs: ProgressQueue (queued records) vs Queue`,
  async run(context: BenchContext): Promise<BenchRow[]> {
    const url = new URL(await context.redisUrl());
    const connection = { host: url.hostname, port: Number(url.port) };
    const storeConnection = await context.redis();
    const store = new RedisStore({ connection: storeConnection, prefix: context.unique('queued') });
    const jobs = Array.from({ length: JOBS }, (_, i) => ({
      name: 'import',
      data: { progressrusScope: ['user', i % USERS], rows: 1000 + i },
    }));
    const progress = { store, total: (job: { data: { rows: number } }) => job.data.rows };

    async function timeAdd(variant: 'plain' | 'progress'): Promise<number> {
      const name = context.unique(`add-bulk-${variant}`);
      const queue =
        variant === 'plain'
          ? new Queue(name, { connection })
          : new ProgressQueue(name, { connection, progress });
      await queue.waitUntilReady();
      const start = nowMs();
      await queue.addBulk(jobs);
      const ms = nowMs() - start;
      await queue.obliterate({ force: true });
      await queue.close();
      return ms;
    }

    await timeAdd('plain');
    await timeAdd('progress');
    const ratios: number[] = [];
    const plain: number[] = [];
    const queued: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['plain', 'progress'] as const) : (['progress', 'plain'] as const);
      const times = { plain: 0, progress: 0 };
      for (const variant of order) times[variant] = await timeAdd(variant);
      plain.push(times.plain);
      queued.push(times.progress);
      ratios.push(times.plain / times.progress);
      context.log(
        `round ${round + 1}: Queue ${fmt(times.plain)} ms, ProgressQueue ${fmt(times.progress)} ms, ratio ${fmt(times.plain / times.progress, 3)}`,
      );
    }
    await store.delete(['user', 0]);
    const ratio = median(ratios);
    return [
      {
        id: 'bullmq.add-bulk',
        what: `addBulk of ${fmt(JOBS)} jobs: ProgressQueue (queued records) ÷ Queue, as throughput (median of ${ROUNDS} paired rounds)`,
        measured: `${fmt(ratio, 3)} (median ${fmt(median(queued))} vs ${fmt(median(plain))} ms)`,
        value: ratio,
        bar: `≥ ${BAR}`,
        pass: atLeast(ratio, BAR),
        details: { ratios, plainMs: plain, progressMs: queued },
      },
    ];
  },
};
