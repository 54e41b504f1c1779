import type { ProgressClock } from '../../src/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly delayMs: number;
  readonly callback: () => void;
}

/** A clock that moves only when the test says so; records the delays it was asked for. */
export class ManualClock implements ProgressClock {
  #time: number;
  #nextId = 1;
  #timers: Timer[] = [];
  /** Every delay passed to setTimeout, in order. */
  readonly delays: number[] = [];

  constructor(start = Date.parse('2026-11-27T20:00:00Z')) {
    this.#time = start;
  }

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.#nextId++, at: this.#time + delayMs, delayMs, callback };
    this.#timers.push(timer);
    this.delays.push(delayMs);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** Delays of the timers still pending. */
  pending(): number[] {
    return this.#timers.map((timer) => timer.delayMs);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#time + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#time = due.at;
      due.callback();
    }
    this.#time = end;
  }
}
