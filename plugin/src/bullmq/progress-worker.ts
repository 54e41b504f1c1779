import { URL } from 'node:url';
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import { asError, expected } from '../core/errors.js';
import { cancelChannel, cancelRequestsKey } from '../stores/redis/redis-keys.js';
import { CancelListener } from './cancel-listener.js';
import { DefaultStore, opener } from './default-store.js';
import { FlowRollUp } from './flow-roll-up.js';
import {
  type AnyData,
  type JobProgressOptions,
  resolveJobProgressOptions,
  scopeOf,
} from './job-progress-options.js';
import { JobProgressRunner } from './job-progress-runner.js';
import { relayJob, sandboxChildUrl } from './sandbox-relay.js';
import { type ProgressProcessor, progressProcessor } from './with-job-progress.js';

/** BullMQ's `WorkerOptions`, plus how jobs become progress records. */
export interface ProgressWorkerOptions<DataType = AnyData> extends WorkerOptions {
  /** @default {} — scope `job.data.progressrusScope` or `['queue', queueName]`, the default store, mirror on */
  readonly progress?: JobProgressOptions<DataType>;
}

/**
 * A BullMQ `Worker` whose processor receives the job's Progresser: `(job, progress, token)`.
 * Each job writes one record, id `<queueName>:<jobId>`, through started/running, then
 * completed, failed, retrying (the same record across attempts), delayed or waiting-children.
 * A sandboxed processor (a file path) gets a Progresser too, as its second argument.
 *
 * The worker listens for cancel requests (`JobActions#act('cancel', …)`, from the admin or the
 * HTTP API, in any process) on a connection of its own, and sweeps the queue's kept requests
 * for those it missed (see `CancelListener`): for a job it runs, it records the request and
 * calls `cancelJob`, so the processor's AbortSignal fires (a sandboxed processor's too: BullMQ
 * forwards it to the child); the record ends `cancelled` when the processor gives up. See the
 * README for how a processor honours it.
 *
 * @example
 * const worker = new ProgressWorker('imports', async (job, progress) => {
 *   progress.total = job.data.rows.length;
 *   for (const row of job.data.rows) {
 *     await importRow(row);
 *     progress.tick();
 *   }
 * }, { connection, concurrency: 50, progress: { scope: (job) => ['user', job.data.userId] } });
 */
export class ProgressWorker<
  DataType = AnyData,
  ResultType = AnyData,
  NameType extends string = string,
> extends Worker<DataType, ResultType, NameType> {
  readonly #runner: JobProgressRunner;
  readonly #defaultStore: DefaultStore | null;
  readonly #cancels: CancelListener | null;
  readonly #rollUp: FlowRollUp;
  #cancelsReady = false;

  constructor(
    queueName: string,
    processor: ProgressProcessor<DataType, ResultType, NameType> | string | URL,
    options: ProgressWorkerOptions<DataType>,
  ) {
    const isFunction = typeof processor === 'function';
    if (!isFunction && typeof processor !== 'string' && !(processor instanceof URL)) {
      throw expected('processor', 'a function, or the path or URL of a processor file', processor);
    }
    const { progress, ...workerOptions } = options ?? ({} as ProgressWorkerOptions<DataType>);
    const resolved = resolveJobProgressOptions(progress as JobProgressOptions<never>);
    const given = resolved.store;
    const defaultStore = given ? null : new DefaultStore(workerOptions.connection);
    const runner = new JobProgressRunner(
      resolved,
      given ? () => given : () => (defaultStore as DefaultStore).get(),
    );
    super(
      queueName,
      isFunction ? progressProcessor(runner, processor) : processor,
      workerOptions as WorkerOptions,
    );
    this.#runner = runner;
    this.#defaultStore = defaultStore;
    // A flow child's end moves its parent's bar: after BullMQ counted it, hence on the events.
    const rollUp = new FlowRollUp(
      given ? () => given : () => (defaultStore as DefaultStore).get(),
      workerOptions.connection,
      (error) => this.emit('error', asError(error)),
    );
    this.#rollUp = rollUp;
    const rollUpChild = (job: Job | undefined) => {
      if (job?.parent) void rollUp.childEnded(job, () => scopeOf(job, resolved));
    };
    this.on('completed', rollUpChild);
    this.on('failed', rollUpChild);
    const queuePrefix = this.opts.prefix ?? 'bull';
    this.#cancels = resolved.cancel
      ? new CancelListener(
          {
            // Named after its channel: CLIENT LIST shows what the connection is for.
            open: opener(workerOptions.connection, {
              connectionName: cancelChannel(queuePrefix, queueName),
            }),
            client: () => this.getBackend().client,
            heldJobIds: () => runner.heldJobIds(),
            apply: (jobId, atMs) => {
              // Noted before the abort, so that the processor's exception reads as a cancel.
              if (runner.requestCancel(`${queueName}:${jobId}`, atMs))
                this.cancelJob(jobId, 'cancelled');
            },
            onError: (error) => this.emit('error', error),
          },
          {
            channel: cancelChannel(queuePrefix, queueName),
            requestsKey: cancelRequestsKey(queuePrefix, queueName),
            sweepMs: resolved.cancelSweepMs,
          },
        )
      : null;
    if (!isFunction) {
      // BullMQ's sandbox runner, built by the constructor above, gets a job that relays the child's counts.
      const sandboxed = this.processFn;
      this.processFn = (job, token, signal) =>
        runner.run(job, (progress) =>
          sandboxed(relayJob(job, progress, resolved.intervalMs) as typeof job, token, signal),
        );
    }
  }

  /** Resolves once BullMQ's connection is ready and the worker listens for cancel requests. */
  override waitUntilReady(): ReturnType<Worker['waitUntilReady']> {
    // BullMQ calls this for every job it completes: once the listener is ready, no extra step.
    const ready = super.waitUntilReady();
    // (BullMQ's constructor calls it too, with autorun, before this class's fields exist.)
    if (#cancelsReady in this && (this.#cancels === null || this.#cancelsReady)) return ready;
    return ready.then(async (client) => {
      await this.#cancels?.ready;
      this.#cancelsReady = true;
      return client;
    });
  }

  /** Loads the processor file in the child through progressrus's module, which adds the Progresser. */
  protected override createSandbox(processor: Parameters<Worker['createSandbox']>[0]): void {
    super.createSandbox(typeof processor === 'string' ? sandboxChildUrl(processor) : processor);
  }

  /**
   * Writes what running jobs have pending and waits for every final write already begun, for
   * at most 10 s when the store does not take them. `closeGracefully` calls it when running jobs
   * outlast its timeout, so their progress so far is in the store before the process exits.
   */
  async flush(): Promise<void> {
    await this.#runner.flush();
  }

  /**
   * Closes the worker as BullMQ does (waiting for running jobs unless `force`), then writes every
   * pending record and closes the default store's connection. Idempotent. On SIGTERM, see
   * `closeOnSignals`.
   */
  override async close(force = false): Promise<void> {
    await super.close(force);
    await this.#runner.flush();
    await this.#rollUp.close();
    await Promise.all([this.#defaultStore?.close(), this.#cancels?.close()]);
  }
}
