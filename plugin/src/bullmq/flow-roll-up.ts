import { type ConnectionOptions, type Job, Queue } from 'bullmq';
import { DEFAULT_RETENTION } from '../core/progresser-options.js';
import { EMPTY_EXTENSIONS, type ProgressRecord } from '../core/record.js';
import { recordOf } from '../core/record-of.js';
import type { StoreReader, StoreWriter } from '../stores/store.js';

/**
 * Rolls a BullMQ flow parent's record up from its children: each time a child of a waiting
 * parent ends, the parent's record (in the child's scope, id `<parent queue>:<parent id>`)
 * is written as `waiting-children`. When every child has a record in that scope with a known
 * total, `count` and `total` are the sums of the children's (so the bar measures work, and a
 * child of 1,000 items weighs 100 times one of 10, and a running child's progress counts);
 * otherwise `count` is the number of finished children and `total` all of them, from
 * BullMQ's own dependency counts. The parent's ETA then follows from its count and rate like
 * any record's: the sums move at the children's combined pace.
 * Once the last child is done BullMQ runs the parent, whose worker writes the record on
 * (`running`, then `completed` or `failed`); the last child writes nothing, so it cannot land
 * after the parent's own writes.
 *
 * Runs in the children's `ProgressWorker`, after BullMQ has counted the child (its `completed`
 * and `failed` events). Children are looked up in the scope of the child that ended: a
 * child in another scope (another queue's scope option) has no record there, and the parent
 * falls back to counting finished children; its scope cannot be known here without the
 * options of the worker of its queue.
 */
export class FlowRollUp {
  readonly #store: () => StoreWriter & Partial<StoreReader>;
  readonly #onError: (error: unknown) => void;
  readonly #queues = new Map<string, Queue>();
  readonly #writing = new Set<Promise<void>>();

  readonly #connection: ConnectionOptions;

  constructor(
    store: () => StoreWriter & Partial<StoreReader>,
    connection: ConnectionOptions,
    onError: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#connection = connection;
    this.#onError = onError;
  }

  /** Writes the parent's roll-up after `child` ended; never throws (failures go to onError). */
  childEnded(child: Job, scope: () => readonly string[]): Promise<void> {
    const written = this.#rollUp(child, scope);
    this.#writing.add(written);
    void written.then(() => this.#writing.delete(written));
    return written;
  }

  async #rollUp(child: Job, scopeOfChild: () => readonly string[]): Promise<void> {
    const parent = child.parent;
    if (!parent?.id) return;
    try {
      const scope = scopeOfChild();
      const prefix = child.prefix;
      const queueName = parent.queueKey.slice(prefix.length + 1);
      const parentJob = await this.#queue(queueName, prefix).getJob(parent.id);
      if (!parentJob) return;
      const counts = await parentJob.getDependenciesCount();
      const finished = (counts.processed ?? 0) + (counts.failed ?? 0) + (counts.ignored ?? 0);
      if ((counts.unprocessed ?? 0) === 0) return;
      const store = this.#store();
      const summed = await this.#summed(parentJob, scope, store, prefix);
      const id = `${queueName}:${parent.id}`;
      const existing = typeof store.find === 'function' ? await store.find(scope, id) : null;
      const nowMs = Date.now();
      const base: ProgressRecord = existing
        ? recordOf(existing)
        : {
            id,
            name: parentJob.name,
            scope,
            startedAt: null,
            completedAt: null,
            failedAt: null,
            expiresAt: null,
            count: 0,
            total: null,
            params: {},
            errorCount: 0,
            ...EMPTY_EXTENSIONS,
            queue: queueName,
            jobId: parent.id,
          };
      // The parent may have moved on (BullMQ ran it): its own worker owns the record then.
      if (existing && existing.status !== 'waiting-children' && existing.status !== 'queued')
        return;
      await store.persist({
        ...base,
        count: summed?.count ?? finished,
        total: summed?.total ?? finished + (counts.unprocessed ?? 0),
        errorCount: counts.failed ?? 0,
        updatedAt: new Date(nowMs),
        expiresAt: new Date(nowMs + (DEFAULT_RETENTION.unfinishedMs ?? 0)),
        state: 'waiting-children',
      });
    } catch (error) {
      this.#onError(error);
    }
  }

  /** The sums of the children's counts and totals, or null unless every child has a record with a total. */
  async #summed(
    parentJob: Job,
    scope: readonly string[],
    store: Partial<StoreReader>,
    prefix: string,
  ): Promise<{ count: number; total: number } | null> {
    if (typeof store.find !== 'function') return null;
    const { processed = {}, unprocessed = [], failed = [], ignored = {} } = await parentJob.getDependencies();
    const keys = [...Object.keys(processed), ...unprocessed, ...failed, ...Object.keys(ignored)];
    // A child's key is `<prefix>:<queue>:<id>`; its record id drops the prefix.
    const ticks = await Promise.all(
      keys.map((key) => (key.startsWith(`${prefix}:`) ? store.find?.(scope, key.slice(prefix.length + 1)) : null)),
    );
    let count = 0;
    let total = 0;
    for (const tick of ticks) {
      if (!tick || tick.total === null) return null;
      // A completed child did all its work, whatever its last count said (a processor may stop
      // ticking at 990 of 1,000); a live one counts up to its total, never past it.
      count += tick.status === 'completed' ? tick.total : Math.min(tick.count, tick.total);
      total += tick.total;
    }
    return ticks.length > 0 ? { count, total } : null;
  }

  /** Waits for roll-ups under way, then closes the queues opened to read parents. Idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.#writing);
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  /** A queue to read parents from, on the worker's connection options; opened at the first flow. */
  #queue(name: string, prefix: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.#connection, prefix });
      queue.on('error', (error) => this.#onError(error));
      this.#queues.set(name, queue);
    }
    return queue;
  }
}
