import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { closeGracefully } from 'progressrus/bullmq';
import { RedisStore } from 'progressrus';
import { seededRandom } from 'progressrus/testing';
import { Producer } from './workload/producer.js';
import { startWorkers } from './workload/workers.js';

/** How long running jobs get to finish when the workload stops. */
const CLOSE_TIMEOUT_MS = 5000;

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
  /**
   * Stops the trickle and the workers as `closeOnSignals` does (running jobs get 5 s to finish,
   * then their progress so far is written and BullMQ hands them to a worker of the next start),
   * then the connection. Idempotent.
   */
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
    store: new RedisStore({ connection }),
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
    await producer.close();
    // Demo jobs run for a minute or two: most outlast the 5 s, and are picked up again at the
    // next start, their record showing how far they got.
    await closeGracefully(workers, { timeoutMs: CLOSE_TIMEOUT_MS });
    // Jobs still running stop where they are, as in a killed process.
    stop.abort();
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
