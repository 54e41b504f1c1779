/** What the shared heartbeat needs of a stream. */
export interface Beating {
  /** Called every `intervalMs`: ping, or end the stream if nobody reads it. */
  beat(): void;
}

/**
 * ONE timer for every open event stream of a handler, not one per stream: 10,000 viewers cost
 * one interval, not 10,000. Runs only while a stream is open, and never keeps a process up.
 */
export class Heartbeats {
  readonly intervalMs: number;
  readonly #streams = new Set<Beating>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  add(stream: Beating): void {
    this.#streams.add(stream);
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => {
      // A Set iterates safely while beats end (and delete) streams.
      for (const each of this.#streams) each.beat();
    }, this.intervalMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  delete(stream: Beating): void {
    this.#streams.delete(stream);
    if (this.#streams.size > 0 || this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
