import { startWorkload } from './workload.js';

/**
 * The demo's worker and producer alone, for the `demo` service of docker-compose.yml (the
 * admin runs in its own container there). Reads REDIS_URL; stops on SIGINT/SIGTERM.
 */
const redisUrl = process.env.REDIS_URL?.trim();
if (!redisUrl) {
  console.error(
    'REDIS_URL is not set: the demo workload needs a Redis to put its queues and records in.',
  );
  process.exit(1);
}

const workload = await startWorkload({ redisUrl });
console.log(
  `Demo workload running against ${redisUrl}: ${workload.initialJobs} jobs queued, more every few seconds.`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void workload.close().then(() => process.exit(0));
  });
}
