import { randomBytes } from 'node:crypto';
import { Job, type JobsOptions, Queue, type QueueOptions } from 'bullmq';
import { StoreError } from '../core/errors.js';
import type { ProgressRecord } from '../core/record.js';
import type { Store, StoreWriter } from '../stores/store.js';
import { DefaultStore } from './default-store.js';
import {
  type AnyData,
  type JobProgressOptions,
  type ResolvedJobProgressOptions,
  resolveJobProgressOptions,
  scopeOf,
} from './job-progress-options.js';
import { queuedRecord, queuedTimes } from './queued-record.js';

/** BullMQ's `QueueOptions`, plus how jobs become progress records (the workers' `progress` option). */
export interface ProgressQueueOptions<DataType = AnyData> extends QueueOptions {
  /**
   * Give the workers' `progress` option (or at least the same `scope`, `name`, `total` and
   * `store`): the record written here must be the one the worker carries on.
   * @default {} — scope `job.data.progressrusScope` or `['queue', queueName]`, the default store
   */
  readonly progress?: JobProgressOptions<DataType>;
}

type BulkJob<DataType, NameType> = { name: NameType; data: DataType; opts?: JobsOptions };

// While `addBulk` runs BullMQ's synchronous part (Job.createBulk builds every Job before its
// first await): the ids to give the Jobs, in order, and the Jobs built. The queued records are
// made from these Jobs, not from a second Job each.
let building: { readonly ids: readonly string[]; index: number; readonly built: Job[] } | null =
  null;

class CollectedJob extends Job {
  constructor(...args: ConstructorParameters<typeof Job>) {
    // The id goes to the Job, not into its options: BullMQ adds it as a custom id all the same,
    // without storing and sending a copy in the options of every job.
    if (building !== null) args[4] ??= building.ids[building.index];
    super(...args);
    if (building !== null) {
      building.index += 1;
      building.built.push(this);
    }
  }
}

/**
 * The ids of jobs added without a `jobId`: a random prefix per call (72 bits, 12 characters of
 * base64url), '-', the job's index in base 36, e.g. `Vq3xT0bC9mZk-7ps`: two calls share a
 * prefix with odds of about n² / 2⁷³ over n calls, and an id has 16 characters where a UUID
 * has 36 (BullMQ sends and stores the id with every job, the store a record's id in five
 * places). Never an integer, which BullMQ keeps for its own ids; never a ':'.
 */
function newJobIds(jobs: readonly { opts?: JobsOptions }[]): string[] {
  const prefix = randomBytes(9).toString('base64url');
  return jobs.map((job, index) => job.opts?.jobId ?? `${prefix}-${index.toString(36)}`);
}

/**
 * A BullMQ `Queue` whose `add` and `addBulk` also write each job's record, as `queued`
 * (`delayed` with a delay, `prioritized` with a priority), before the job can reach a worker.
 * The record has the id, scope, name and total a `ProgressWorker` with the same `progress`
 * options gives the job, so the worker carries the same record on; it reads `running` from
 * the worker's first write (within one interval of the start).
 *
 * A job added without a `jobId` gets a random id (see newJobIds), so that its record id is known
 * before BullMQ adds it. The records are written while BullMQ adds the jobs (`persistNew`,
 * which RedisStore and MemoryStore have): each only where no record has its id yet, so a
 * quick worker's write that lands first is never overwritten by `queued`, and the two writes
 * overlap (Node encodes BullMQ's commands while Redis stores the records). With a store
 * without `persistNew`, the records are written first, then the jobs added. A store failure
 * never stops a job from being added (it is reported to `progress.onError`).
 *
 * A subclass rather than a helper around `add`: code that holds a `Queue` keeps calling
 * `add`/`addBulk` (and passes the queue to bull-board) unchanged, and the queue owns the
 * store's connection, closed with it.
 *
 * @example
 * const queue = new ProgressQueue('imports', {
 *   connection,
 *   progress: { scope: (job) => ['user', job.data.userId], total: (job) => job.data.rows.length },
 * });
 * await queue.add('csv-import', { userId: 3421, rows });   // shows in user:3421 as queued
 */
export class ProgressQueue<
  DataType = AnyData,
  ResultType = AnyData,
  NameType extends string = string,
> extends Queue<DataType, ResultType, NameType, DataType, ResultType, NameType> {
  readonly #options: ResolvedJobProgressOptions;
  readonly #store: () => StoreWriter & Partial<Pick<Store, 'delete'>>;
  readonly #defaultStore: DefaultStore | null;

  constructor(name: string, options: ProgressQueueOptions<DataType>) {
    const { progress, ...queueOptions } = options ?? ({} as ProgressQueueOptions<DataType>);
    const resolved = resolveJobProgressOptions(progress as JobProgressOptions<never>);
    const given = resolved.store;
    const defaultStore = given ? null : new DefaultStore(queueOptions.connection);
    super(name, queueOptions as QueueOptions);
    this.#options = resolved;
    this.#defaultStore = defaultStore;
    this.#store = given ? () => given : () => (defaultStore as DefaultStore).get();
  }

  /** Adds a job as `Queue#add` does, after writing its `queued` record. */
  override async add(
    name: NameType,
    data: DataType,
    opts?: JobsOptions,
  ): Promise<Job<DataType, ResultType, NameType>> {
    const [job] = await this.addBulk([{ name, data, opts }]);
    return job as Job<DataType, ResultType, NameType>;
  }

  /** Adds jobs as `Queue#addBulk` does, and writes their `queued` records meanwhile. */
  override async addBulk(
    jobs: readonly BulkJob<DataType, NameType>[],
  ): Promise<Job<DataType, ResultType, NameType>[]> {
    const now = queuedTimes(this.#options, Date.now());
    const ids = newJobIds(jobs);
    const recordsOf = (built: readonly Job[]) =>
      built.map((job) => queuedRecord(job, this.#options, now));
    const store = this.#store();
    let added: Job<DataType, ResultType, NameType>[];
    let built: readonly Job[];
    if (typeof store.persistNew === 'function') {
      const adding = this.#addWithIds(jobs, ids);
      built =
        adding.built.length === jobs.length
          ? adding.built
          : jobs.map((job, i) => this.#job(job, ids[i] as string));
      // Sent before BullMQ's pipeline (built after its first await): Redis stores the records
      // while Node builds BullMQ's commands. The records are not kept: they die young, and
      // the few needed again are made again.
      const written = this.#report(
        'write the queued records of',
        store.persistNew(recordsOf(built)),
      );
      try {
        added = await adding.adding;
      } catch (error) {
        await written;
        await this.#delete(built, ids, () => true);
        throw error;
      }
      await written;
    } else {
      built = jobs.map((job, i) => this.#job(job, ids[i] as string));
      await this.#persist(store, recordsOf(built));
      added = await this.#addWithIds(jobs, ids).adding;
    }
    // A deduplicated job comes back as the job already there: its record is not ours to write.
    if (added.some((job, index) => job.id !== ids[index])) {
      await this.#delete(built, ids, (index) => added[index]?.id !== ids[index]);
    }
    return added;
  }

  /** `Queue#addBulk`, giving the jobs these ids; with the Jobs BullMQ built for them (see CollectedJob). */
  #addWithIds(
    jobs: readonly BulkJob<DataType, NameType>[],
    ids: readonly string[],
  ): { adding: Promise<Job<DataType, ResultType, NameType>[]>; built: readonly Job[] } {
    const collecting = { ids, index: 0, built: [] as Job[] };
    building = collecting;
    try {
      return {
        adding: super.addBulk(jobs as BulkJob<DataType, NameType>[]),
        built: collecting.built,
      };
    } finally {
      // Only while BullMQ's synchronous part runs: another addBulk may start at its first await.
      building = null;
    }
  }

  /** The Job BullMQ will build for `job`, for its record (when it was not caught being built). */
  #job(job: BulkJob<DataType, NameType>, id: string): Job {
    return new Job(this as never, job.name, job.data, { ...this.jobsOpts, ...job.opts }, id);
  }

  /** BullMQ builds its Jobs through this: ours let `addBulk` catch them (see CollectedJob). */
  protected override get Job(): typeof Job {
    // A subclass that only adds a constructor side effect: BullMQ's generic statics still fit.
    return CollectedJob as typeof Job;
  }

  /** Closes the queue as BullMQ does, then the default store's connection. Idempotent. */
  override async close(): Promise<void> {
    await super.close();
    await this.#defaultStore?.close();
  }

  async #persist(store: StoreWriter, records: readonly ProgressRecord[]): Promise<void> {
    // One call per record: a batching store sends the writes of one turn of the event loop together.
    const results = await Promise.allSettled(records.map((record) => store.persist(record)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) this.#warn('write the queued records of', failed.reason);
  }

  /**
   * Deletes the queued records of the jobs whose index `which` picks. By the ids they were
   * given: BullMQ gives a deduplicated Job the id of the job already there.
   */
  async #delete(
    built: readonly Job[],
    ids: readonly string[],
    which: (index: number) => boolean,
  ): Promise<void> {
    const store = this.#store();
    // A store that only writes (a custom StoreWriter) keeps them, until they expire.
    if (typeof store.delete !== 'function') return;
    const deletions: Promise<void>[] = [];
    built.forEach((job, index) => {
      if (which(index))
        deletions.push(
          store.delete?.(
            scopeOf(job, this.#options),
            `${this.name}:${ids[index]}`,
          ) as Promise<void>,
        );
    });
    await this.#report('delete the queued records of jobs not added to', Promise.all(deletions));
  }

  /** Waits for a store operation; its failure is reported, never thrown. */
  async #report(what: string, operation: Promise<unknown>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      this.#warn(what, error);
    }
  }

  #warn(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new StoreError(`Could not ${what} queue ${this.name}: ${message}`, {
      cause: error,
    });
    if (this.#options.onError) this.#options.onError(wrapped);
    else console.warn(`[progressrus] ${wrapped.message}`);
  }
}
