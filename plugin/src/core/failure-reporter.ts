/**
 * Where failures go that are never thrown into the caller (a store or BullMQ that does not take
 * a write): to `onError` when one is given, else one console warning per burst of failures, so a
 * store that is down for a minute is one message, not one per write.
 */
export class FailureReporter {
  readonly #onError: ((error: Error) => void) | null;
  #failing = false;

  constructor(onError: ((error: Error) => void) | null | undefined) {
    this.#onError = onError ?? null;
  }

  report(error: Error): void {
    if (this.#onError) {
      this.#onError(error);
      return;
    }
    if (this.#failing) return;
    this.#failing = true;
    console.warn(`[progressrus] ${error.message}`);
  }

  /** A write went through: the next failure starts a new burst, and warns again. */
  recover(): void {
    this.#failing = false;
  }
}
