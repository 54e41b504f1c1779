import { expected, StoreError } from './errors.js';
import { FailureReporter } from './failure-reporter.js';
import {
  type ProgresserOptions,
  type ResolvedProgresserOptions,
  resolveProgresserOptions,
  validateTotal,
} from './progresser-options.js';
import { HistoryBuffer } from './history.js';
import { type EnsembleState, nextEnsemble, startEnsemble } from './rate-ensemble.js';
import {
  EXPLICIT_STATES,
  type ExplicitState,
  type ProgressRecord,
  type RecordAction,
} from './record.js';
import type { StoreWriter } from './store-writer.js';

const RETRY_FIRST_DELAY_MS = 100;
/** What #persist returns when every store took the record. */
const NONE_FAILED: readonly StoreWriter[] = Object.freeze([]);
const RETRY_MAX_DELAY_MS = 5_000;

/**
 * Tracks one job's progress and writes it to the store(s), throttled: the first tick is
 * written at once, later ticks at most once per `intervalMs`, and the last count before a
 * pause within one interval. `complete()`, `fail()` and a new `total` are written at once.
 *
 * @example
 * const progress = new Progresser({ scope: ['user', 3421], total: rows.length, store });
 * for (const row of rows) {
 *   await importRow(row);
 *   progress.tick();
 * }
 * await progress.complete();
 */
export class Progresser {
  readonly id: string;
  readonly name: string;
  readonly scope: readonly string[];
  readonly params: unknown;

  readonly #options: ResolvedProgresserOptions;
  #count = 0;
  #total: number | null;
  #errorCount = 0;
  #startedAtMs: number | null = null;
  #completedAtMs: number | null = null;
  #failedAtMs: number | null = null;
  #state: ExplicitState | null = null;
  #errorMessage: string | null = null;
  #rate: EnsembleState | null = null;
  readonly #history: HistoryBuffer;
  #historyStarted = false;
  #actions: readonly RecordAction[];

  // The hot path of tick() reads only #idle: true when no write is scheduled or running,
  // so that all but one tick per interval cost an addition and a branch.
  #idle = true;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastWriteMs = Number.NEGATIVE_INFINITY;
  #written = false;
  // Writes run one after another, so an older snapshot never lands after a newer one.
  #chain: Promise<void> = Promise.resolve();
  #final: Promise<void> | null = null;
  // Built at the first failure: most Progressers never see one.
  #failures: FailureReporter | null = null;

  constructor(options: ProgresserOptions) {
    // Options that `progresserOf` vouches for were resolved by the caller (the BullMQ runner,
    // once per worker and cheaply per job): not checked again for every job.
    this.#options = trusted !== null && (options as unknown) === trusted ? trusted : resolveProgresserOptions(options);
    this.id = this.#options.id;
    this.name = this.#options.name;
    this.scope = this.#options.scope;
    this.params = this.#options.params;
    this.#total = this.#options.total;
    this.#history = new HistoryBuffer(this.#options.intervalMs, this.#options.history);
    this.#actions = this.#options.actions;
    // Without a leading write, the first tick waits as if a write had just happened.
    if (!this.#options.leading) this.#lastWriteMs = this.#options.now();
    if (this.#options.persist) void this.#writeNow();
  }

  /** Items done so far. */
  get count(): number {
    return this.#count;
  }

  get errorCount(): number {
    return this.#errorCount;
  }

  get total(): number | null {
    return this.#total;
  }

  /** Sets the number of items; written at once when the record has been written before. */
  set total(total: number | null) {
    this.#total = validateTotal(total);
    if (this.#written && this.#final === null) void this.#writeNow();
  }

  /** Whether `complete()` or `fail()` was called. */
  get finished(): boolean {
    return this.#final !== null;
  }

  /**
   * Counts `n` items done. Synchronous and cheap: no clock read, no allocation, no I/O
   * except on the one tick per interval that schedules a write. Never throws a store error.
   */
  tick(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw expected('n', 'an integer ≥ 0', n);
    this.#count += n;
    if (this.#idle || this.#startedAtMs === null) this.#wake();
  }

  /** Counts `n` failed items; they are written with the next write. */
  error(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw expected('n', 'an integer ≥ 0', n);
    this.#errorCount += n;
    if (this.#idle) this.#wake();
  }

  /** Marks the job completed and writes at once. Resolves when written, or after `finalWriteTimeoutMs` (the write goes on). */
  complete(): Promise<void> {
    if (this.#final) return this.#final;
    const now = this.#options.now();
    this.#completedAtMs = now;
    this.#startedAtMs ??= now;
    this.#state = null;
    return this.#finish();
  }

  /** Marks the job failed, with the error's message, and writes at once. */
  fail(error?: unknown): Promise<void> {
    if (this.#final) return this.#final;
    const now = this.#options.now();
    this.#failedAtMs = now;
    this.#startedAtMs ??= now;
    this.#state = null;
    this.#errorMessage = errorMessage(error);
    return this.#finish();
  }

  /**
   * Marks the job cancelled (its processor honoured a cancel) and writes at once; an end, like
   * `complete()`, kept as long as completed records.
   */
  cancel(): Promise<void> {
    if (this.#final) return this.#final;
    this.#state = 'cancelled';
    return this.#finish();
  }

  /** Adds an action (a cancel or retry asked for this job) to the record and writes at once. */
  recordAction(action: RecordAction): Promise<void> {
    this.#actions = [...this.#actions, action];
    if (this.#final) return this.#final;
    return this.#writeNow();
  }

  /** The actions asked for this job so far, oldest first. */
  get actions(): readonly RecordAction[] {
    return this.#actions;
  }

  /**
   * Records a lifecycle state set by an integration (`queued`, `delayed`, `prioritized`,
   * `retrying`, `waiting-children`; `null` for running) and writes at once. An end goes
   * through `complete()`, `fail()` or `cancel()`.
   */
  setState(state: ExplicitState | null, error?: unknown): Promise<void> {
    if (state !== null && (state === 'cancelled' || !EXPLICIT_STATES.includes(state))) {
      throw expected(
        'state',
        `one of ${EXPLICIT_STATES.filter((each) => each !== 'cancelled').join(', ')} or null`,
        state,
      );
    }
    if (this.#final) return this.#final;
    this.#state = state;
    if (error !== undefined) this.#errorMessage = errorMessage(error);
    return this.#writeNow();
  }

  /** Writes what is pending now and waits for every write in flight. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#enqueueWrite();
    }
    await this.#chain;
  }

  /** The record as it would be written now. */
  snapshot(nowMs: number = this.#options.now()): ProgressRecord {
    const { retention, intervalMs } = this.#options;
    const keepMs =
      this.#failedAtMs !== null
        ? retention.failedMs
        : this.#completedAtMs !== null || this.#state === 'cancelled'
          ? retention.completedMs
          : retention.unfinishedMs;
    return {
      id: this.id,
      name: this.name,
      scope: this.scope,
      startedAt: toDate(this.#startedAtMs),
      completedAt: toDate(this.#completedAtMs),
      failedAt: toDate(this.#failedAtMs),
      expiresAt: keepMs === null ? null : new Date(nowMs + keepMs),
      count: this.#count,
      total: this.#total,
      params: this.params,
      errorCount: this.#errorCount,
      updatedAt: new Date(nowMs),
      ratePerSecond: this.#rate?.ratePerSecond ?? null,
      intervalMs,
      state: this.#state,
      errorMessage: this.#errorMessage,
      queue: this.#options.queue,
      jobId: this.#options.jobId,
      attempt: this.#options.attempt,
      actions: this.#actions,
      history: this.#history.points(),
    };
  }

  /** The first change after a quiet spell: write at once (leading) or when the interval is up (trailing). */
  #wake(): void {
    if (this.#final) return;
    const now = this.#options.now();
    if (this.#startedAtMs === null && this.#count > 0) this.#startedAtMs = now;
    if (!this.#idle) return;
    this.#idle = false;
    this.#schedule(now);
  }

  #schedule(now: number): void {
    const waitMs = this.#lastWriteMs + this.#options.intervalMs - now;
    if (waitMs <= 0) {
      this.#enqueueWrite();
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    // A closure per schedule, not per Progresser: most jobs never schedule a write.
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#enqueueWrite();
    }, waitMs);
    // A pending progress write must never keep the process alive.
    this.#timer.unref?.();
  }

  #enqueueWrite(): void {
    this.#chain = this.#chain.then(() => this.#writeThrottled());
  }

  async #writeThrottled(): Promise<void> {
    if (this.#final) return;
    const record = this.#takeRecord();
    const ok = (await this.#persist(record)).length === 0;
    if (this.#final) return;
    const changed = this.#count !== record.count || this.#errorCount !== record.errorCount || this.#total !== record.total;
    if (!ok || changed) this.#schedule(this.#options.now());
    else this.#idle = true;
  }

  /** Takes the record to write now, and folds this write into the smoothed rate. */
  #takeRecord(): ProgressRecord {
    const now = this.#options.now();
    if (this.#startedAtMs === null && this.#count > 0) this.#startedAtMs = now;
    if (this.#startedAtMs !== null) {
      this.#rate = nextEnsemble(this.#rate ?? startEnsemble(this.#startedAtMs), now, this.#count, this.#options.intervalMs);
      // The first sample is this attempt's start, exact; then one per write, thinned.
      if (!this.#historyStarted) this.#history.add(this.#startedAtMs, 0);
      this.#historyStarted = true;
      this.#history.add(now, this.#count);
    }
    this.#lastWriteMs = now;
    return this.snapshot(now);
  }

  #finish(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#idle = false;
    this.#final = this.#writeNow();
    return this.#final;
  }

  /**
   * Writes at once, after the writes in flight, retrying with backoff until the store takes
   * it. The returned promise resolves when written or after `finalWriteTimeoutMs`, whichever
   * comes first; retries go on in the background while the process lives.
   */
  #writeNow(): Promise<void> {
    const written = this.#chain.then(() => this.#writeUntilStored());
    this.#chain = written;
    const timeoutMs = this.#options.finalWriteTimeoutMs;
    // No bound of its own: the BullMQ runner bounds the waits it makes, with one timer for all jobs.
    if (timeoutMs === null) return written;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#report(finalWriteTimedOut(this.id, timeoutMs));
        resolve();
      }, timeoutMs);
      timer.unref?.();
      void written.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #writeUntilStored(): Promise<void> {
    let stores = this.#options.stores;
    // Only the stores that failed are written again: the others already hold this state.
    for (let delayMs = RETRY_FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, RETRY_MAX_DELAY_MS)) {
      stores = await this.#persist(this.#takeRecord(), stores);
      if (stores.length === 0) return;
      await sleep(delayMs);
    }
  }

  /** Writes to each store; one failing store never stops the others. Returns the stores that failed. */
  async #persist(record: ProgressRecord, stores: readonly StoreWriter[] = this.#options.stores): Promise<readonly StoreWriter[]> {
    if (stores.length === 1) {
      // The usual case, without Promise.allSettled and its arrays.
      const store = stores[0] as StoreWriter;
      try {
        await store.persist(record);
      } catch (reason) {
        this.#reportFailure(reason);
        return stores;
      }
      this.#written = true;
      this.#failures?.recover();
      return NONE_FAILED;
    }
    const results = await Promise.allSettled(stores.map((store) => store.persist(record)));
    const failed: StoreWriter[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') return;
      failed.push(stores[index] as StoreWriter);
      this.#reportFailure(result.reason);
    });
    if (failed.length < stores.length) this.#written = true;
    if (failed.length === 0) this.#failures?.recover();
    return failed;
  }

  #report(error: Error): void {
    this.#failures ??= new FailureReporter(this.#options.onError);
    this.#failures.report(error);
  }

  #reportFailure(reason: unknown): void {
    this.#report(
      new StoreError(
        `Could not write progress record ${JSON.stringify(this.id)} of scope ${this.scope.join(':')}: ${messageOf(reason)}`,
        { cause: reason },
      ),
    );
  }

}

/** The options `progresserOf` is building a Progresser from, for the constructor to take as they are. */
let trusted: ResolvedProgresserOptions | null = null;

/**
 * A Progresser from options the caller resolved and checked itself (the BullMQ runner builds
 * one per job from options it checked once): `resolveProgresserOptions` is skipped. Internal,
 * not exported from the package.
 */
export function progresserOf(options: ResolvedProgresserOptions): Progresser {
  trusted = options;
  try {
    return new Progresser(options as unknown as ProgresserOptions);
  } finally {
    trusted = null;
  }
}

/** A final write that outlasted its wait: the caller stops waiting, the write goes on. */
export function finalWriteTimedOut(id: string, timeoutMs: number): StoreError {
  return new StoreError(
    `Gave up waiting for record ${JSON.stringify(id)} to be written after ${timeoutMs} ms; still retrying in the background`,
  );
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function errorMessage(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
