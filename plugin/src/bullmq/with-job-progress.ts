import type { Job, Processor } from 'bullmq';
import { expected } from '../core/errors.js';
import type { Progresser } from '../core/progresser.js';
import type { StoreWriter } from '../stores/store.js';
import {
  type AnyData,
  type JobProgressOptions,
  resolveJobProgressOptions,
} from './job-progress-options.js';
import { JobProgressRunner } from './job-progress-runner.js';

/**
 * A BullMQ processor that also receives the job's Progresser. `token` and `signal` are BullMQ's
 * lock token and cancellation signal.
 */
export type ProgressProcessor<
  DataType = AnyData,
  ResultType = AnyData,
  NameType extends string = string,
> = (
  job: Job<DataType, ResultType, NameType>,
  progress: Progresser,
  token?: string,
  signal?: AbortSignal,
) => ResultType | Promise<ResultType>;

/** A plain BullMQ processor, plus `flush()`: call it after `worker.close()` to write what is pending. */
export type FlushableProcessor<
  DataType = AnyData,
  ResultType = AnyData,
  NameType extends string = string,
> = Processor<DataType, ResultType, NameType> & {
  /** Writes every pending record; resolves when the store has them (or after 10 s when it is down). */
  flush(): Promise<void>;
};

/**
 * Turns a processor that takes `(job, progress, token)` into a plain BullMQ processor, for
 * people who construct `Worker` themselves. Same records and lifecycle as `ProgressWorker`;
 * the store must be given.
 *
 * @example
 * const processor = withJobProgress(async (job, progress) => {
 *   progress.total = job.data.rows.length;
 *   for (const row of job.data.rows) {
 *     await importRow(row);
 *     progress.tick();
 *   }
 * }, { store: new RedisStore({ connection: redis }) });
 * const worker = new Worker('imports', processor, { connection, concurrency: 50 });
 * // on shutdown:
 * await worker.close();
 * await processor.flush();
 */
export function withJobProgress<
  DataType = AnyData,
  ResultType = AnyData,
  NameType extends string = string,
>(
  processor: ProgressProcessor<DataType, ResultType, NameType>,
  options: JobProgressOptions<DataType> & { readonly store: StoreWriter },
): FlushableProcessor<DataType, ResultType, NameType> {
  if (typeof processor !== 'function') throw expected('processor', 'a function', processor);
  const resolved = resolveJobProgressOptions(options as JobProgressOptions<never>);
  const { store } = resolved;
  if (store === null) throw expected('store', 'a Store', options?.store);
  return progressProcessor(new JobProgressRunner(resolved, () => store), processor);
}

/** The BullMQ processor that runs `processor` through `runner`. */
export function progressProcessor<DataType, ResultType, NameType extends string>(
  runner: JobProgressRunner,
  processor: ProgressProcessor<DataType, ResultType, NameType>,
): FlushableProcessor<DataType, ResultType, NameType> {
  // BullMQ gives a processor an AbortSignal, at a small cost per job, only when it declares a
  // third parameter; so the wrapper declares one only when `processor` takes the signal.
  const wrapped: Processor<DataType, ResultType, NameType> =
    processor.length >= 4
      ? (job, token, signal) =>
          runner.run(job as Job, (progress) => processor(job, progress, token, signal))
      : (job, token) => runner.run(job as Job, (progress) => processor(job, progress, token));
  return Object.assign(wrapped, { flush: () => runner.flush() });
}
