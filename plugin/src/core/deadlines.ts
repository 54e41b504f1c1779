/** A pending deadline; `cancel()` before it passes and its callback never runs. */
export interface Deadline {
  cancel(): void;
}

interface Entry {
  readonly atMs: number;
  fire: (() => void) | null;
}

/**
 * Runs callbacks after a delay, unless cancelled first, with one timer per distinct delay
 * rather than one per call. Built for timeouts that almost never fire (a final write that
 * the store takes within milliseconds): a setTimeout and clearTimeout per job cost more than
 * the job's whole record on a busy worker. Deadlines of one delay expire in the order they
 * were added, so each delay keeps a FIFO queue; cancelled entries leave it as they reach its
 * head. The timers are unref'd: a deadline never keeps the process alive.
 */
export class Deadlines {
  readonly #queues = new Map<number, DelayQueue>();
  #setTimeout: typeof setTimeout | null = null;

  after(delayMs: number, fire: () => void): Deadline {
    // Fake timers (tests) replace setTimeout and drop its pending timers: start afresh.
    if (globalThis.setTimeout !== this.#setTimeout) {
      this.#queues.clear();
      this.#setTimeout = globalThis.setTimeout;
    }
    let queue = this.#queues.get(delayMs);
    if (queue === undefined) {
      queue = new DelayQueue(delayMs);
      this.#queues.set(delayMs, queue);
    }
    return queue.add(fire);
  }
}

class DelayQueue {
  readonly #delayMs: number;
  #entries: Entry[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  add(fire: () => void): Deadline {
    const entry: Entry = { atMs: Date.now() + this.#delayMs, fire };
    this.#dropCancelled();
    this.#entries.push(entry);
    if (this.#timer === null) this.#arm(this.#delayMs);
    return {
      cancel: () => {
        entry.fire = null;
      },
    };
  }

  #dropCancelled(): void {
    while (this.#head < this.#entries.length && (this.#entries[this.#head] as Entry).fire === null) this.#head += 1;
    // Compact once the consumed head is most of the array.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(this.#onTimer, Math.max(0, delayMs));
    this.#timer.unref?.();
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    const nowMs = Date.now();
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head] as Entry;
      if (entry.fire !== null && entry.atMs > nowMs) break;
      this.#head += 1;
      const fire = entry.fire;
      entry.fire = null;
      fire?.();
    }
    this.#dropCancelled();
    const next = this.#entries[this.#head];
    if (next !== undefined) this.#arm(next.atMs - nowMs);
    else {
      this.#entries = [];
      this.#head = 0;
    }
  };
}

/** The process's deadlines, shared by every Progresser. */
export const deadlines = new Deadlines();
