import { Progresser, RedisStore, type StoreWriter } from 'progressrus';
import type { BenchContext } from './context.js';
import { median } from './stats.js';

const JOBS = 20_000;
const CONCURRENT = 50;

/** A store that takes every write and keeps nothing: the Progresser's own share. */
const discard: StoreWriter = {
  persist: async () => {},
};

/**
 * What one no-op job's record costs this process, without BullMQ: a Progresser created and
 * completed, 50 at a time (as concurrent jobs), with a RedisStore and with a store that
 * discards. CPU µs per job, median of 3; the difference is the RedisStore write.
 */
export async function writeCostPerJob(
  context: BenchContext,
): Promise<{ progresserMicros: number; redisWriteMicros: number }> {
  const redis = new RedisStore({
    connection: await context.redis(),
    prefix: context.unique('write-cost'),
  });
  const cost = async (store: StoreWriter): Promise<number> => {
    const runs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = process.cpuUsage();
      for (let start = 0; start < JOBS; start += CONCURRENT) {
        const writes: Promise<void>[] = [];
        for (let i = start; i < start + CONCURRENT; i++) {
          const progress = new Progresser({
            scope: ['queue', 'q'],
            id: `q:${round}-${i}`,
            name: 'x',
            store,
            queue: 'q',
            jobId: String(i),
            attempt: 1,
            actions: [],
            history: [],
          });
          writes.push(progress.complete());
        }
        await Promise.all(writes);
      }
      const used = process.cpuUsage(before);
      runs.push((used.user + used.system) / JOBS);
    }
    return median(runs);
  };
  const progresserMicros = await cost(discard);
  const withRedis = await cost(redis);
  return { progresserMicros, redisWriteMicros: withRedis - progresserMicros };
}
