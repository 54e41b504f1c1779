import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../src/redis-server.js';
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
    const figures = await soakRetention({ redis, jobs: 5000, batch: 1000, scopes: 500, sweepLimit: 1000 });
    expect(figures.keysAtPeak).toBe(500 + 3);
    expect(figures.swept).toBe(5000);
    expect(figures).toMatchObject({ keysAfter: 0, expiryEntriesAfter: 0, scopeEntriesAfter: 0 });
    const grown = figures.usedMemoryPeak - figures.usedMemoryBefore;
    expect(grown).toBeGreaterThan(1_000_000);
    expect(figures.usedMemoryAfter - figures.usedMemoryBefore).toBeLessThan(grown / 10);
  }, 60_000);
});
