/**
 * The retention soak: 1,000,000 finished jobs through RedisStore, then their expiry.
 * Run by hand, not by `npm test` (it takes a minute or two):
 *
 *   npx tsx plugin/test/reliability/soak.ts [jobs]
 *
 * It starts its own redis-server, so `used_memory` counts nothing but these records.
 */
import { Redis } from 'ioredis';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { soakRetention } from './retention-soak.js';

const jobs = Number(process.argv[2] ?? 1_000_000);
const server = await startRedisServer();
const redis = new Redis(server.url);
try {
  const figures = await soakRetention({
    redis,
    jobs,
    onProgress: (written) => {
      if (written % 100_000 === 0) console.error(`  ${written.toLocaleString('en')} jobs written`);
    },
  });
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(`| jobs | ${figures.jobs.toLocaleString('en')} |`);
  console.log('|---|---|');
  console.log(`| used_memory before | ${mb(figures.usedMemoryBefore)} |`);
  console.log(
    `| used_memory at peak | ${mb(figures.usedMemoryPeak)} (${figures.keysAtPeak.toLocaleString('en')} keys) |`,
  );
  console.log(
    `| used_memory after expiry | ${mb(figures.usedMemoryAfter)} (${figures.keysAfter} keys) |`,
  );
  console.log(`| records swept | ${figures.swept.toLocaleString('en')} |`);
  console.log(
    `| index entries left | ${figures.expiryEntriesAfter} expiries, ${figures.scopeEntriesAfter} scopes |`,
  );
  console.log(
    `| time | ${figures.writeSeconds.toFixed(1)} s writing, ${figures.sweepSeconds.toFixed(1)} s sweeping |`,
  );
} finally {
  redis.disconnect();
  await server.stop();
}
