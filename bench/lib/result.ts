/** One row of the table: what was measured, against which bar, and whether it holds. */
export interface BenchRow {
  /** Stable key in results.json, e.g. `tick.ns`. */
  readonly id: string;
  readonly what: string;
  /** Human-readable figure, e.g. `3.1 ns/tick`. */
  readonly measured: string;
  /** The number the bar is checked against. */
  readonly value: number;
  /** Human-readable bar, e.g. `≤ 10 ns`; `reported` when there is none. */
  readonly bar: string;
  /** `null` when the row is reported only. */
  readonly pass: boolean | null;
  /** Raw figures behind the row, for results.json. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A benchmark: a name to select it by (`npm run bench -- eta`) and a run producing rows. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(context: import('./context.js').BenchContext): Promise<BenchRow[]>;
}

export function atMost(value: number, bar: number): boolean {
  return value <= bar;
}

export function atLeast(value: number, bar: number): boolean {
  return value >= bar;
}
