import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { seededRandom } from './workload/job-plan.js';
import { Producer } from './workload/producer.js';
import { startWorkers } from './workload/workers.js';

export interface WorkloadOptions {
  readonly redisUrl: string;
  /** Seed of the job plan; the same seed gives the same jobs. @default 42 */
  readonly seed?: number;
  /** Time between two jobs of the trickle. @default 4000 */
  readonly trickleMs?: number;
}

export interface Workload {
  /** How many jobs the first batch added. */
  readonly initialJobs: number;
  /** Stops the trickle, the workers (without waiting for running jobs) and the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * The demo's worker and producer, in one process: three queues, seven users, a first batch of
 * jobs and a steady trickle. What `npm start` and the `demo` container run.
 *
 * @example
 * const workload = await startWorkload({ redisUrl: 'redis://127.0.0.1:6379' });
 * // …
 * await workload.close();
 */
export async function startWorkload(options: WorkloadOptions): Promise<Workload> {
  // BullMQ's workers block on this connection's duplicates: no retry limit per request.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const stop = new AbortController();
  // Every running job listens for the stop: more than Node's default of 10 listeners.
  setMaxListeners(0, stop.signal);
  const producer = new Producer(connection, {
    random: seededRandom(options.seed ?? 42),
    trickleMs: options.trickleMs,
  });
  const workers = startWorkers(connection, stop.signal, (parent, name, data) =>
    producer.addChild(parent, name, data),
  );
  let initialJobs: number;
  try {
    initialJobs = await producer.start();
  } catch (error) {
    await closeAll();
    throw error;
  }
  let closing: Promise<void> | undefined;
  async function closeAll(): Promise<void> {
    stop.abort();
    await producer.close();
    // Forced: demo jobs run for a minute or two; they are picked up again at the next start.
    await Promise.all(workers.map((worker) => worker.close(true)));
    await connection.quit().catch(() => connection.disconnect());
  }
  return {
    initialJobs,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
