import { type Job, UnrecoverableError } from 'bullmq';
import { FailureReporter } from '../core/failure-reporter.js';
import { finalWriteTimedOut, type Progresser, progresserOf } from '../core/progresser.js';
import { validateTotal } from '../core/progresser-options.js';
import { check } from '../core/validate.js';
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
/** How long a job's slot waits for its last record before BullMQ is told (see `run`). */
const FINAL_WRITE_WAIT_MS = 5000;
/** How often, while final writes are awaited, the runner looks for one that outlasted its wait. */
const FINAL_WRITE_CHECK_MS = 1000;

/**
 * How far the clock of the process that asks for a cancel may lag behind the one that added the
 * job: a request dated earlier than the job by more than this was for an earlier job of the same
 * id (a custom job id used again), and is ignored.
 */
const CLOCK_SKEW_MS = 5000;

/** A job running here. */
interface LiveJob {
  readonly job: Job;
  readonly progress: Progresser;
  /** When it is due to show up as `started` if it has not ticked by then. */
  readonly startAtMs: number;
  cancelled: boolean;
  /** Whether the start timer has looked at it (it shows up by itself from then on). */
  started: boolean;
  /** While the job's last write is awaited: that write, when the wait ends, and what ends it. */
  ending: Promise<void> | null;
  endBy: number;
  release: (() => void) | null;
}

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
  // Running jobs by record id, in the order they started (cancel requests and the start timer
  // find them there); and final writes that outlasted FINAL_WRITE_WAIT_MS: what `flush()` waits for.
  // Nothing of a job is kept once it ends: at thousands of jobs a second, anything held for
  // an interval longer is garbage the collector must first promote, then sweep.
  readonly #live = new Map<string, LiveJob>();
  readonly #writing = new Set<Promise<void>>();
  // Mirror failures of every job: one warning per burst without `onError`, as for store failures.
  readonly #mirrorFailures: FailureReporter;
  // Last writes that outlasted their wait: reported as a Progresser reports its own timeouts.
  readonly #endFailures: FailureReporter;
  #startTimer: NodeJS.Timeout | null = null;
  #endTimer: NodeJS.Timeout | null = null;

  constructor(options: ResolvedJobProgressOptions, store: () => StoreWriter) {
    this.#options = options;
    this.#store = store;
    this.#mirrorFailures = new FailureReporter(options.onError);
    this.#endFailures = new FailureReporter(options.onError);
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
    // Built from options checked once, for the worker (see `progresserOf`): per job, only what
    // the job's own functions return is checked here.
    const progress = progresserOf({
      scope,
      id,
      name: options.name ? check('name', 'a string', options.name(job), isString) : job.name,
      total: options.total ? validateTotal(options.total(job) ?? null) : null,
      params: {},
      stores: [mirror ?? store],
      intervalMs: options.intervalMs,
      retention: options.retention,
      // Bounded here instead, for every job at once (see #awaitEnd).
      finalWriteTimeoutMs: null,
      persist: false,
      // The first tick is written one interval after the job started, not at once: a job that
      // ends sooner writes once, at its end. Most jobs of a busy queue are such jobs.
      leading: false,
      onError: options.onError ?? null,
      now: Date.now,
      queue: job.queueName,
      jobId: job.id ?? null,
      attempt,
      // Read back from the store, which decoded and checked them.
      actions: previous?.actions ?? [],
      history: previous?.history ?? [],
    });
    const live: LiveJob = {
      job,
      progress,
      startAtMs: startedAtMs + options.intervalMs,
      cancelled: false,
      started: false,
      ending: null,
      endBy: 0,
      release: null,
    };
    // Deleted first so that the entry goes last: the start timer relies on start order.
    this.#live.delete(id);
    this.#live.set(id, live);
    // A job that works a while before its first tick still shows up, as `started`: one
    // shared timer for every job, not one each (most jobs end long before it).
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
      await this.#awaitEnd(live, progress.complete());
      return result;
    } catch (error) {
      if (live.cancelled) {
        // Whatever the processor threw once it was asked to stop, the job ends cancelled and
        // BullMQ must not retry it.
        await this.#awaitEnd(live, progress.cancel());
        throw new UnrecoverableError(`Cancelled (${messageOf(error)})`);
      }
      const outcome = attemptOutcome(job, error);
      // Awaited: the next attempt may start in this process at once and must find this written first.
      await this.#awaitEnd(
        live,
        outcome.kind === 'failed'
          ? progress.fail(error)
          : progress.setState(outcome.state, outcome.state === 'retrying' ? error : undefined),
      );
      throw error;
    } finally {
      if (this.#live.get(id) === live) this.#live.delete(id);
    }
  }

  /** BullMQ ids of the jobs running here, for the cancel sweep. */
  heldJobIds(): string[] {
    const ids: string[] = [];
    for (const live of this.#live.values()) if (live.job.id !== undefined) ids.push(live.job.id);
    return ids;
  }

  /**
   * Notes that the job was asked (at `atMs`) to stop: its record shows "cancel requested" until it
   * ends, and if its processor then throws, the job ends `cancelled`. True when the job runs
   * here and is to be aborted; false when it does not run here, or the request is older than
   * the job. Idempotent: a request heard again (pub/sub, then a sweep) or one that an earlier
   * attempt's record already shows adds no second action.
   */
  requestCancel(id: string, atMs: number): boolean {
    const live = this.#live.get(id);
    if (!live || atMs < live.job.timestamp - CLOCK_SKEW_MS) return false;
    if (live.cancelled) return true;
    live.cancelled = true;
    if (live.progress.actions.at(-1)?.action !== 'cancel')
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
    // Jobs started in this order, so the first one not yet due ends the scan; the ones looked
    // at before stay until they end (at most the worker's concurrency).
    for (const live of this.#live.values()) {
      if (live.started) continue;
      if (live.startAtMs > nowMs) {
        this.#armStart(live.startAtMs - nowMs);
        return;
      }
      live.started = true;
      const { progress } = live;
      if (progress.count === 0 && progress.errorCount === 0) this.#track(progress.setState(null));
    }
  };

  /** Tracks a write for `flush()` and returns it. */
  #track(write: Promise<void>): Promise<void> {
    this.#writing.add(write);
    void write.then(() => this.#writing.delete(write));
    return write;
  }

  /**
   * Waits for a job's last write, for about FINAL_WRITE_WAIT_MS at most; after that the write
   * is tracked for `flush()`. Nearly every write lands within milliseconds, so the wait is
   * bounded by one timer for all jobs (#onEndTimer), not a timer or deadline entry per job:
   * anything per job that a long-lived structure holds survives the young-generation
   * collections and gets promoted (as the shared deadlines' entries did: ~1 MB per scavenge).
   */
  #awaitEnd(live: LiveJob, write: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      live.ending = write;
      live.endBy = Date.now() + FINAL_WRITE_WAIT_MS;
      live.release = resolve;
      if (this.#endTimer === null) this.#armEnd();
      void write.then(() => {
        live.release = null;
        live.ending = null;
        resolve();
      });
    });
  }

  #armEnd(): void {
    this.#endTimer = setTimeout(this.#onEndTimer, FINAL_WRITE_CHECK_MS);
    this.#endTimer.unref?.();
  }

  /** Stops waiting for the last writes that outlasted FINAL_WRITE_WAIT_MS; they go on in the background. */
  readonly #onEndTimer = (): void => {
    this.#endTimer = null;
    const nowMs = Date.now();
    let waiting = false;
    let released = false;
    // A job stays in #live until its wait ends: at most the worker's concurrency to look at.
    for (const [id, live] of this.#live) {
      const { release, ending } = live;
      if (release === null || ending === null) continue;
      if (live.endBy > nowMs) {
        waiting = true;
        continue;
      }
      live.release = null;
      live.ending = null;
      this.#track(ending);
      this.#endFailures.report(finalWriteTimedOut(id, FINAL_WRITE_WAIT_MS));
      released = true;
      release();
    }
    // A check that let no job go ends the burst: the next one warns again.
    if (!released) this.#endFailures.recover();
    if (waiting) this.#armEnd();
  };
}

function isString(value: unknown): boolean {
  return typeof value === 'string';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
