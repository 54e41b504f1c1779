import 'server-only';
import { Queue } from 'bullmq';
import { type QueuePosition, queuePosition } from 'progressrus/bullmq';
import { env } from './env';
import { redis } from './store';

// Cached on globalThis for the same reason as the Redis connection (lib/store.ts).
const cache = globalThis as typeof globalThis & { __progressrusQueues?: Map<string, Queue> };

/** The BullMQ queues named in `PROGRESSRUS_QUEUES`, sharing the app's Redis connection. */
export function queues(): Queue[] {
  return env()
    .queues.map((name) => queue(name))
    .filter((found): found is Queue => found !== null);
}

/** A configured queue by name, or null when the name is not in the configuration. */
export function queue(name: string): Queue | null {
  if (!env().queues.includes(name)) return null;
  cache.__progressrusQueues ??= new Map();
  let found = cache.__progressrusQueues.get(name);
  if (!found) {
    found = new Queue(name, { connection: redis(), prefix: env().bullPrefix });
    // bull-board and the job page report failures themselves; this only silences the event.
    found.on('error', () => {});
    cache.__progressrusQueues.set(name, found);
  }
  return found;
}

export interface BullJobInfo {
  readonly state: string;
  readonly attemptsMade: number;
  /** Attempts allowed by the job's options (BullMQ's default is 1). */
  readonly attempts: number;
  readonly failedReason: string | null;
  /** Its place in the queue and expected start, while it waits (waiting, prioritized, delayed). */
  readonly position: QueuePosition | null;
}

const WAITING_STATES = new Set(['waiting', 'prioritized', 'delayed']);

/** What BullMQ itself knows about a job, when its queue is configured and the job still exists. */
export async function bullJobInfo(queueName: string, jobId: string): Promise<BullJobInfo | null> {
  const found = queue(queueName);
  if (found === null) return null;
  const job = await found.getJob(jobId);
  if (!job) return null;
  const state = await job.getState();
  return {
    state,
    attemptsMade: job.attemptsMade,
    // BullMQ stores 0 or nothing for its default of one attempt.
    attempts: Math.max(1, job.opts.attempts ?? 1),
    failedReason: job.failedReason || null,
    position: WAITING_STATES.has(state) ? await queuePosition(found, jobId) : null,
  };
}

/** bull-board's page for a job, when its queue is shown there. */
export function bullBoardJobUrl(queueName: string | null, jobId: string | null): string | null {
  if (queueName === null || jobId === null || !env().queues.includes(queueName)) return null;
  return `${BULL_BOARD_PATH}/queue/${encodeURIComponent(queueName)}/${encodeURIComponent(jobId)}`;
}

/** Where bull-board is mounted (app/queues/[[...path]]/route.ts). */
export const BULL_BOARD_PATH = '/queues';

/**
 * The record ids (`<queue>:<jobId>`) of a flow parent's children, finished or not, from
 * BullMQ's dependencies of the job; empty for a job that has none or a queue not configured.
 */
export async function flowChildIds(queueName: string, jobId: string): Promise<string[]> {
  const found = queue(queueName);
  const job = found === null ? null : await found.getJob(jobId);
  if (!job) return [];
  const {
    processed = {},
    unprocessed = [],
    failed = [],
    ignored = {},
  } = await job.getDependencies();
  const keys = [...Object.keys(processed), ...unprocessed, ...failed, ...Object.keys(ignored)];
  // A child's key is `<prefix>:<queue>:<id>`; its record id drops the prefix.
  const prefix = `${env().bullPrefix}:`;
  return keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
}
