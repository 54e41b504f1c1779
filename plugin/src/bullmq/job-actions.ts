import { type Job, Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { expected, JobActionRefusedError, JobNotFoundError } from '../core/errors.js';
import type { ActionResult, JobActor } from '../core/job-actor.js';
import { DEFAULT_RETENTION, type Retention } from '../core/progresser-options.js';
import type { JobActionName, ProgressRecord } from '../core/record.js';
import { recordOf } from '../core/record-of.js';
import { normalizeScope, type Scope } from '../core/scope.js';
import type { Tick } from '../core/tick.js';
import type { Store } from '../stores/store.js';
import { sendCancelRequest, withdrawCancelRequest } from './cancel-requests.js';

export interface JobActionsOptions {
  /** Where the records are: the store the workers and queues write to. */
  readonly store: Store;
  /** An ioredis client on the queues' Redis: BullMQ's `Queue`s and the cancel requests use it. */
  readonly connection: Redis | Cluster;
  /** BullMQ's key prefix of the queues. @default 'bull' */
  readonly queuePrefix?: string;
  /** How long a cancelled record stays. @default DEFAULT_RETENTION (as completed records) */
  readonly retention?: Retention;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** BullMQ states in which a job waits and can simply leave its queue. */
/** Statuses of a record whose job is (as far as the record knows) in a worker's hands. */
const RUNNING: ReadonlySet<string> = new Set(['started', 'running', 'stalled']);

const WAITING = new Set([
  'waiting',
  'wait',
  'delayed',
  'prioritized',
  'paused',
  'waiting-children',
]);

/**
 * Cancels and retries BullMQ jobs by their records: the one code path behind the admin's
 * buttons and the HTTP handler's POST routes (give it to `createProgressHandler` as
 * `actions`). Each action is checked against the record of the scope it names (a job the
 * scope does not hold is a `JobNotFoundError`), is idempotent, and is kept in the record as
 * `{ action, at }`.
 *
 * - **cancel** a waiting job (queued, delayed, prioritized, waiting for children): it is
 *   removed from its queue and its record reads `cancelled` at once. A running job: a cancel
 *   request is published on its queue's channel, and kept a day for a worker that missed it;
 *   the `ProgressWorker` that runs it, in any process, records it ("cancel requested") and
 *   calls `worker.cancelJob`, so the processor's AbortSignal fires; the record reads
 *   `cancelled` when the processor gives up.
 *   A finished job is left as it is (`unchanged`).
 * - **retry** a failed or cancelled job through BullMQ's `job.retry()`: it goes back to its
 *   queue and its record reads `queued`, keeping its attempt number and its actions.
 *
 * @example
 * const actions = new JobActions({ store, connection: redis });
 * await actions.act('cancel', ['user', 3421], 'imports:42');
 */
export class JobActions implements JobActor {
  readonly #store: Store;
  readonly #connection: Redis | Cluster;
  readonly #queuePrefix: string;
  readonly #keepMs: number | null;
  readonly #now: () => number;
  readonly #queues = new Map<string, Queue>();

  constructor(options: JobActionsOptions) {
    if (options === null || typeof options !== 'object')
      throw expected('options', 'an object', options);
    const { store, connection, queuePrefix = 'bull', retention, now = Date.now } = options;
    if (store === null || typeof store !== 'object' || typeof store.find !== 'function')
      throw expected('store', 'a Store', store);
    if (
      connection === null ||
      typeof connection !== 'object' ||
      typeof connection.publish !== 'function'
    )
      throw expected('connection', 'an ioredis Redis or Cluster', connection);
    if (typeof queuePrefix !== 'string' || queuePrefix.length === 0)
      throw expected('queuePrefix', 'a non-empty string', queuePrefix);
    this.#store = store;
    this.#connection = connection;
    this.#queuePrefix = queuePrefix;
    const completed = retention?.completedMs;
    this.#keepMs = completed === undefined ? DEFAULT_RETENTION.completedMs : completed;
    this.#now = now;
  }

  async act(action: JobActionName, scope: Scope, id: string): Promise<ActionResult> {
    if (action !== 'cancel' && action !== 'retry')
      throw expected('action', "'cancel' or 'retry'", action);
    const tick = await this.#store.find(normalizeScope(scope), id);
    if (tick === null)
      throw new JobNotFoundError(
        `No job ${JSON.stringify(id)} in scope ${normalizeScope(scope).join(':')}`,
      );
    return action === 'cancel' ? this.#cancel(tick) : this.#retry(tick);
  }

  /** Closes the queues opened for actions (not the connection, which is the caller's). Idempotent. */
  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  async #cancel(tick: Tick): Promise<ActionResult> {
    if (tick.finished) return result(tick, 'cancel', 'unchanged', tick.status);
    const atMs = this.#now();
    // A job its record shows working is asked to stop first, before BullMQ is asked anything:
    // that request is what the operator waits for, and a worker that does not run the job
    // ignores it. Then BullMQ's state decides the rest.
    const listeners = RUNNING.has(tick.status) ? await this.#requestCancel(tick, atMs) : null;
    const job = await this.#job(tick);
    const state = job ? await job.getState() : 'unknown';
    if (job && WAITING.has(state)) {
      try {
        await job.remove();
        return this.#cancelled(tick, atMs);
      } catch {
        // Taken by a worker in the meantime (a locked job cannot be removed): cancel it running.
      }
    }
    if (job === null || state === 'unknown') return this.#cancelled(tick, atMs);
    // Ended since its record was read. When a worker heard the request sent above, perhaps
    // because of it: a worker aborts within milliseconds, sooner than this answer under load.
    if (state === 'completed' || state === 'failed')
      return result(tick, 'cancel', listeners ? 'cancel-requested' : 'unchanged', tick.status);
    // The worker that runs the job records the request itself; with no ProgressWorker
    // listening (a plain Worker runs it), the record shows it from here.
    if ((listeners ?? (await this.#requestCancel(tick, atMs))) === 0) {
      await this.#store.persist({
        ...recordOf(tick),
        actions: [...tick.actions, { action: 'cancel', at: new Date(atMs) }],
      });
    }
    return result(tick, 'cancel', 'cancel-requested', tick.status);
  }

  /**
   * Sends a cancel request to the job's queue (kept for a day, and published); resolves to the
   * number of listeners that heard it.
   */
  #requestCancel(tick: Tick, atMs: number): Promise<number> {
    const { queue, jobId } = jobOf(tick);
    return sendCancelRequest(this.#connection, this.#queuePrefix, queue, {
      jobId,
      id: tick.id,
      atMs,
    });
  }

  async #retry(tick: Tick): Promise<ActionResult> {
    if (tick.status !== 'failed' && tick.status !== 'cancelled') {
      if (tick.status === 'queued' || tick.status === 'retrying')
        return result(tick, 'retry', 'unchanged', tick.status);
      throw new JobActionRefusedError(
        `Only a failed or cancelled job can be retried; ${tick.id} is ${tick.status}`,
      );
    }
    const job = await this.#job(tick);
    if (job === null)
      throw new JobActionRefusedError(
        `Job ${tick.id} is no longer in its queue; it cannot be retried`,
      );
    const state = await job.getState();
    if (state !== 'failed') return result(tick, 'retry', 'unchanged', tick.status);
    const atMs = this.#now();
    // Written before the job is back in its queue, for the reason ProgressQueue writes first.
    const record: ProgressRecord = {
      ...recordOf(tick),
      completedAt: null,
      failedAt: null,
      // The new run counts from 0; the attempt number and the last error stay, as history.
      count: 0,
      errorCount: 0,
      ratePerSecond: null,
      updatedAt: new Date(atMs),
      state: 'queued',
      actions: [...tick.actions, { action: 'retry', at: new Date(atMs) }],
    };
    await this.#store.persist(record);
    // The job keeps its id (and creation time): a request left from its cancel must not stop the rerun.
    const { queue, jobId } = jobOf(tick);
    await withdrawCancelRequest(this.#connection, this.#queuePrefix, queue, jobId);
    await job.retry('failed');
    return result(tick, 'retry', 'retried', 'queued');
  }

  async #cancelled(tick: Tick, atMs: number): Promise<ActionResult> {
    await this.#store.persist({
      ...recordOf(tick),
      updatedAt: new Date(atMs),
      expiresAt: this.#keepMs === null ? null : new Date(atMs + this.#keepMs),
      state: 'cancelled',
      actions: [...tick.actions, { action: 'cancel', at: new Date(atMs) }],
    });
    return result(tick, 'cancel', 'cancelled', 'cancelled');
  }

  async #job(tick: Tick): Promise<Job | null> {
    const { queue: name, jobId } = jobOf(tick);
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.#connection, prefix: this.#queuePrefix });
      this.#queues.set(name, queue);
    }
    return (await queue.getJob(jobId)) ?? null;
  }
}

function jobOf(tick: Tick): { readonly queue: string; readonly jobId: string } {
  if (tick.queue === null || tick.jobId === null)
    throw new JobActionRefusedError(
      `Record ${tick.id} is not a BullMQ job's: it has no queue and job id`,
    );
  return { queue: tick.queue, jobId: tick.jobId };
}

function result(
  tick: Tick,
  action: JobActionName,
  outcome: ActionResult['outcome'],
  status: ActionResult['status'],
): ActionResult {
  return { id: tick.id, action, outcome, status };
}
