import type { Job } from 'bullmq';
import type { ProgressRecord } from '../core/record.js';
import { StoreError } from '../core/errors.js';
import type { FailureReporter } from '../core/failure-reporter.js';
import type { StoreWriter } from '../stores/store.js';
import { recordIdOf } from './job-progress-options.js';

/**
 * Passes one job's records to the store and also writes their percentage to BullMQ's own job
 * progress, so bull-board and `QueueEvents` show it. It sees exactly the throttled writes of
 * the job's Progresser, so it writes at the throttle's pace and never per tick; a BullMQ write
 * still in flight is coalesced with the next one. A job that ends within one interval of its
 * start is never mirrored: its first (leading) write would cost a round trip nobody sees.
 */
export class ProgressMirror implements StoreWriter {
  readonly #job: Job;
  readonly #store: StoreWriter;
  readonly #mirrorFromMs: number;
  readonly #failures: FailureReporter;
  #latest: number | null = null;
  #pending: number | null = null;
  #inFlight: Promise<void> | null = null;

  constructor(
    job: Job,
    store: StoreWriter,
    options: { startedAtMs: number; intervalMs: number; failures: FailureReporter },
  ) {
    this.#job = job;
    this.#store = store;
    this.#mirrorFromMs = options.startedAtMs + options.intervalMs;
    this.#failures = options.failures;
  }

  /** Whether anything was written to the job's progress. */
  get mirrored(): boolean {
    return this.#latest !== null;
  }

  persist(record: ProgressRecord): Promise<void> {
    // Final and lifecycle writes are left to `complete()`: BullMQ shows the job's state itself.
    const running =
      record.completedAt === null && record.failedAt === null && record.state === null;
    if (
      running &&
      record.total !== null &&
      (record.updatedAt?.getTime() ?? Date.now()) >= this.#mirrorFromMs
    ) {
      this.#send(percentOf(record.count, record.total));
    }
    return this.#store.persist(record);
  }

  /** The job completed: 100 when something was mirrored before. Resolves when BullMQ has it. */
  async complete(): Promise<void> {
    if (this.#latest !== null) this.#send(100);
    await this.#inFlight;
  }

  #send(value: number): void {
    if (value === this.#latest) return;
    this.#latest = value;
    this.#pending = value;
    this.#inFlight ??= this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#pending !== null) {
      const value = this.#pending;
      this.#pending = null;
      try {
        await this.#job.updateProgress(value);
        this.#failures.recover();
      } catch (error) {
        // A job removed while it runs cannot take progress; the record still does.
        const message = error instanceof Error ? error.message : String(error);
        this.#failures.report(
          new StoreError(
            `Could not write the progress of BullMQ job ${recordIdOf(this.#job)} to BullMQ: ${message}`,
            { cause: error },
          ),
        );
      }
    }
    this.#inFlight = null;
  }
}

/** 0–100, whole numbers, so that a slow job does not rewrite BullMQ's progress for a 0.01 % step. */
function percentOf(count: number, total: number): number {
  if (total === 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((count / total) * 100)));
}
