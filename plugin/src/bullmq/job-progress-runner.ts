import { type Job, UnrecoverableError } from 'bullmq';
import { FailureReporter } from '../core/failure-reporter.js';
import { Progresser } from '../core/progresser.js';
import type { Tick } from '../core/tick.js';
import type { StoreReader, StoreWriter } from '../stores/store.js';
import { attemptOutcome } from './attempt-outcome.js';
import {
  attemptOf,
  recordIdOf,
  type ResolvedJobProgressOptions,
  scopeOf,
} from './job-progress-options.js';
import { ProgressMirror } from './progress-mirror.js';

/** How long `flush()` waits for a record that cannot be written (the store is down). */
const FLUSH_TIMEOUT_MS = 10_000;
/** How long a job's slot waits for its completed record before BullMQ is told (see `run`). */
const FINAL_WRITE_WAIT_MS = 5000;

/**
 * Runs BullMQ jobs with a Progresser each and writes their lifecycle: the Progresser records
 * ticks; this class writes `started` (when a job has not ticked within one interval),
 * `completed`, `failed`, `retrying`, `delayed` and `waiting-children`. It keeps the writes per
 * job to what the job needs: a job shows up one interval after it starts (running or started)
 * and is then written at the throttle's pace, so a job that ends within one interval writes
 * once, at its end. Concurrent jobs' writes share one round trip per event-loop turn through
 * the store (`RedisStore` batches them).
 */
export class JobProgressRunner {
  readonly #options: ResolvedJobProgressOptions;
  readonly #store: () => StoreWriter;
  // Progressers of running jobs by record id (cancel requests find them there), and final
  // writes not yet in the store: what `flush()` waits for.
  readonly #live = new Map<string, { progress: Progresser; cancelled: boolean }>();
  readonly #writing = new Set<Promise<void>>();
  // Mirror failures of every job: one warning per burst without `onError`, as for store failures.
  readonly #mirrorFailures: FailureReporter;
  // Jobs in the order they started, each due to show up as `started` one interval later.
  #starts: { readonly id: string; readonly progress: Progresser; readonly atMs: number }[] = [];
  #startTimer: NodeJS.Timeout | null = null;

  constructor(options: ResolvedJobProgressOptions, store: () => StoreWriter) {
    this.#options = options;
    this.#store = store;
    this.#mirrorFailures = new FailureReporter(options.onError);
  }

  /** Calls `processor` with a Progresser for `job`, and records how the attempt ends. */
  async run<R>(job: Job, processor: (progress: Progresser) => R | Promise<R>): Promise<R> {
    const options = this.#options;
    const startedAtMs = Date.now();
    const store = this.#store();
    const mirror = options.mirror
      ? new ProgressMirror(job, store, {
          startedAtMs,
          intervalMs: options.intervalMs,
          failures: this.#mirrorFailures,
        })
      : null;
    const scope = scopeOf(job, options);
    const id = recordIdOf(job);
    const attempt = attemptOf(job);
    // A retry carries on the record's actions and continues its history as one series: one
    // read, on retries only.
    const previous = attempt > 1 ? await this.#previousOf(store, scope, id) : null;
    const progress = new Progresser({
      scope,
      id,
      name: options.name ? options.name(job) : job.name,
      total: options.total ? (options.total(job) ?? null) : null,
      store: mirror ?? store,
      intervalMs: options.intervalMs,
      // The first tick is written one interval after the job started, not at once: a job that
      // ends sooner writes once, at its end. Most jobs of a busy queue are such jobs.
      leading: false,
      retention: options.retention,
      onError: options.onError,
      queue: job.queueName,
      jobId: job.id ?? null,
      attempt,
      actions: previous?.actions ?? [],
      history: previous?.history ?? [],
    });
    const live = { progress, cancelled: false };
    this.#live.set(id, live);
    // A job that works a while before its first tick still shows up, as `started`: one
    // shared timer for every job, not one each (most jobs end long before it).
    this.#starts.push({ id, progress, atMs: startedAtMs + options.intervalMs });
    if (this.#startTimer === null) this.#armStart(options.intervalMs);
    try {
      const result = await processor(progress);
      if (mirror?.mirrored) await mirror.complete();
      // Written before BullMQ marks the job completed: a process killed in between would
      // otherwise leave a completed job reading running (then stalled) for good, as the chaos
      // soak found. This way round a crash only makes BullMQ run the job again, and that run
      // rewrites the record. Bounded: a store that does not answer (while BullMQ's Redis does)
      // keeps the write retrying in the background, tracked for `flush()`, without holding the
      // job's slot any longer.
      await this.#within(FINAL_WRITE_WAIT_MS, this.#track(progress.complete()));
      return result;
    } catch (error) {
      if (live.cancelled) {
        // Whatever the processor threw once it was asked to stop, the job ends cancelled and
        // BullMQ must not retry it.
        await progress.cancel();
        throw new UnrecoverableError(`Cancelled (${messageOf(error)})`);
      }
      const outcome = attemptOutcome(job, error);
      // Awaited: the next attempt may start in this process at once and must find this written first.
      if (outcome.kind === 'failed') await progress.fail(error);
      else await progress.setState(outcome.state, outcome.state === 'retrying' ? error : undefined);
      throw error;
    } finally {
      this.#live.delete(id);
    }
  }

  /** Whether a job with this record id runs here. */
  holds(id: string): boolean {
    return this.#live.has(id);
  }

  /**
   * Notes that the job was asked to stop (its record shows "cancel requested" until it ends):
   * if its processor then throws, the job ends `cancelled`. False when the job does not run here.
   */
  requestCancel(id: string, atMs: number): boolean {
    const live = this.#live.get(id);
    if (!live) return false;
    live.cancelled = true;
    this.#track(live.progress.recordAction({ action: 'cancel', at: new Date(atMs) }));
    return true;
  }

  /** The actions of a rerun job's record, so that its history survives the new attempt. */
  async #previousOf(
    store: StoreWriter & Partial<StoreReader>,
    scope: readonly string[],
    id: string,
  ): Promise<Pick<Tick, 'actions' | 'history'> | null> {
    if (typeof store.find !== 'function') return null;
    try {
      return await store.find(scope, id);
    } catch {
      // The history is a nicety: a store that cannot be read now must not stop the job.
      return null;
    }
  }

  /**
   * Writes what running jobs have pending and waits for every final write, for at most 10 s when
   * the store does not take them (they go on retrying in the background).
   */
  async flush(): Promise<void> {
    const all = Promise.all([
      ...this.#writing,
      ...[...this.#live.values()].map((live) => live.progress.flush()),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
      timer.unref?.();
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
  }

  #armStart(delayMs: number): void {
    this.#startTimer = setTimeout(this.#onStartTimer, Math.max(0, delayMs));
    this.#startTimer.unref?.();
  }

  /** Writes `started` for the jobs due that are still running and have not ticked. */
  readonly #onStartTimer = (): void => {
    this.#startTimer = null;
    const nowMs = Date.now();
    const starts = this.#starts;
    let head = 0;
    while (head < starts.length) {
      const { id, progress, atMs } = starts[head] as (typeof starts)[number];
      if (atMs > nowMs) break;
      head += 1;
      if (this.#live.get(id)?.progress === progress && progress.count === 0 && progress.errorCount === 0) {
        this.#track(progress.setState(null));
      }
    }
    const next = starts[head];
    this.#starts = next === undefined ? [] : starts.slice(head);
    if (next !== undefined) this.#armStart(next.atMs - nowMs);
  };

  /** Tracks a write for `flush()` and returns it. */
  #track(write: Promise<void>): Promise<void> {
    this.#writing.add(write);
    void write.then(() => this.#writing.delete(write));
    return write;
  }

  /** Waits for `work`, for at most `ms`. */
  async #within(ms: number, work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([work, timeout]);
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
