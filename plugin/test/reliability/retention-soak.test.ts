import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { type RedisServer, startRedisServer } from '../../src/testing/redis-server.js';
import { sleep } from '../helpers.js';
import { soakRetention } from './retention-soak.js';

// A server of its own: `used_memory` and DBSIZE must count nothing but these records.
let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('RedisStore retention', () => {
  it('leaves no key, no index entry and gives back the memory once 5,000 finished jobs expire', async () => {
    const figures = await soakRetention({
      redis,
      jobs: 5000,
      batch: 1000,
      scopes: 500,
      sweepLimit: 1000,
    });
    // Per scope its hash, its counters and the four sorted sets of its completed records;
    // the three global indexes.
    expect(figures.keysAtPeak).toBe(500 * 6 + 3);
    expect(figures.swept).toBe(5000);
    expect(figures).toMatchObject({ keysAfter: 0, expiryEntriesAfter: 0, scopeEntriesAfter: 0 });
    const grown = figures.usedMemoryPeak - figures.usedMemoryBefore;
    expect(grown).toBeGreaterThan(1_000_000);
    expect(figures.usedMemoryAfter - figures.usedMemoryBefore).toBeLessThan(grown / 10);
  }, 60_000);
});

describe('RedisStore write-triggered sweep', () => {
  it('removes more expired records than one sweep batch holds, without a sweep() call', async () => {
    let now = Date.parse('2026-11-27T12:00:00Z');
    const store = new RedisStore({
      connection: redis,
      prefix: 'catch-up',
      now: () => now,
      sweepIntervalMs: 1000,
    });
    const expiring = Array.from(
      { length: 1800 },
      (_, i) =>
        new Progresser({
          scope: ['bulk', i % 20],
          id: `j${i}`,
          store,
          now: () => now,
          retention: { completedMs: 1000 },
        }),
    );
    await Promise.all(expiring.map((progress) => progress.complete()));
    // One entry per scope in the global expiry index; the records' expiry is their scope's.
    expect(await redis.zcard(store.keys.expiries)).toBe(20);

    now += 5000;
    // One write, long after: its sweep must catch up with all 1,800, not 500.
    await new Progresser({ scope: ['other', 1], id: 'trigger', store, now: () => now }).complete();
    const deadline = Date.now() + 20_000;
    while ((await redis.zcard(store.keys.expiries)) > 1 && Date.now() < deadline) await sleep(50);
    expect(await redis.zcard(store.keys.expiries)).toBe(1);
    expect((await store.scopes()).items.map((item) => item.key)).toEqual(['other:1']);
  }, 60_000);
});
