import { closeOnSignals } from 'progressrus/bullmq';
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

// Like any worker process (see plugin/README.md, "Shutdown on SIGTERM"): `docker stop` sends
// SIGTERM; running jobs get their bound, their records are written, then the process exits.
closeOnSignals([workload]);
