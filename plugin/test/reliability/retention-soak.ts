import type { Redis } from 'ioredis';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';

export interface SoakOptions {
  /** A connection to a server that holds nothing else, so its memory is ours to read. */
  readonly redis: Redis;
  readonly jobs: number;
  /** Jobs finished in one turn of the event loop: one RedisStore batch. @default 5000 */
  readonly batch?: number;
  /** Jobs spread over this many scopes. @default 10000 */
  readonly scopes?: number;
  /** Records removed per `sweep()` call. @default 5000 */
  readonly sweepLimit?: number;
  readonly onProgress?: (written: number) => void;
}

export interface SoakFigures {
  readonly jobs: number;
  readonly usedMemoryBefore: number;
  readonly usedMemoryPeak: number;
  readonly usedMemoryAfter: number;
  readonly keysAtPeak: number;
  readonly keysAfter: number;
  readonly expiryEntriesAfter: number;
  readonly scopeEntriesAfter: number;
  readonly swept: number;
  readonly writeSeconds: number;
  readonly sweepSeconds: number;
}

const RETENTION_MS = 60_000;

/**
 * Finishes `jobs` jobs through Progressers and a RedisStore with a 60 s retention, on an
 * injected clock; then moves the clock past the retention and sweeps until nothing is due.
 * Returns Redis's `used_memory` before, at the peak and after, and what is left.
 */
export async function soakRetention(options: SoakOptions): Promise<SoakFigures> {
  const { redis, jobs, batch = 5000, scopes = 10_000, sweepLimit = 5000 } = options;
  let now = Date.parse('2026-11-27T12:00:00Z');
  const clock = () => now;
  const store = new RedisStore({ connection: redis, prefix: 'soak', now: clock });
  // The server compiles the store's scripts once (a fixed cost, not the records'): a record
  // written and swept before the count loads them.
  await new Progresser({ scope: ['warm-up'], store, now: clock, retention: { completedMs: 0 } }).complete();
  now += 1;
  while ((await store.sweep(sweepLimit)) > 0);
  const usedMemoryBefore = await usedMemory(redis);

  const errors: Error[] = [];
  const writeStart = performance.now();
  for (let written = 0; written < jobs; ) {
    const finishing: Promise<void>[] = [];
    for (const end = Math.min(jobs, written + batch); written < end; written += 1) {
      const progress = new Progresser({
        scope: ['tenant', written % scopes],
        id: `job-${written}`,
        total: 100,
        store,
        now: clock,
        retention: { completedMs: RETENTION_MS },
        // A batch of thousands of records can take seconds on a loaded machine; that is no failure here.
        finalWriteTimeoutMs: 600_000,
        onError: (error) => errors.push(error),
      });
      progress.tick(100);
      finishing.push(progress.complete());
    }
    await Promise.all(finishing);
    if (errors.length > 0)
      throw new Error(`${errors.length} writes failed, the first: ${errors[0]?.message}`);
    options.onProgress?.(written);
  }
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const usedMemoryPeak = await usedMemory(redis);
  const keysAtPeak = await redis.dbsize();

  now += RETENTION_MS + 1;
  const sweepStart = performance.now();
  let swept = 0;
  for (;;) {
    const removed = await store.sweep(sweepLimit);
    if (removed === 0) break;
    swept += removed;
  }
  const sweepSeconds = (performance.now() - sweepStart) / 1000;

  return {
    jobs,
    usedMemoryBefore,
    usedMemoryPeak,
    usedMemoryAfter: await usedMemory(redis),
    keysAtPeak,
    keysAfter: await redis.dbsize(),
    expiryEntriesAfter: await redis.zcard(store.keys.expiries),
    scopeEntriesAfter: await redis.zcard(store.keys.scopes),
    swept,
    writeSeconds,
    sweepSeconds,
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error(`No used_memory in INFO memory:\n${info}`);
  return Number(match[1]);
}
