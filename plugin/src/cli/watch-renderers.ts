import type { Status } from '../core/record.js';
import type { Tick } from '../core/tick.js';
import type { CliOutput } from './context.js';
import { formatBarLine, formatPlainLine, jobLabel } from './format.js';
import { sortJobs } from './jobs.js';

/** Draws the jobs of one scope each time `watch` reads them. */
export interface WatchRenderer {
  render(ticks: readonly Tick[], now: Date): void;
  /** A problem worth showing, e.g. a lost connection; `null` clears it. */
  notice(message: string | null): void;
  close(ticks: readonly Tick[]): void;
}

/** `3 running · 2 completed · 1 failed` */
export function summarize(ticks: readonly Tick[]): string {
  const counts = new Map<Status, number>();
  for (const tick of ticks) counts.set(tick.status, (counts.get(tick.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(' · ');
}

/**
 * On a terminal: a header and one bar per job, redrawn in place. Lines are cut to the width
 * (a wrapped line would break the count of lines to move back over) and the list to the
 * height, unfinished jobs first.
 */
export class TerminalRenderer implements WatchRenderer {
  readonly #out: CliOutput;
  readonly #scopeKey: string;
  readonly #colour: boolean;
  #drawn = 0;
  #frame = 0;
  #notice: string | null = null;

  constructor(out: CliOutput, scopeKey: string, colour: boolean) {
    this.#out = out;
    this.#scopeKey = scopeKey;
    this.#colour = colour;
    out.write('\x1b[?25l');
  }

  render(ticks: readonly Tick[], now: Date): void {
    this.#frame += 1;
    const columns = Math.max(20, this.#out.columns ?? 80);
    const rows = Math.max(3, this.#out.rows ?? 24);
    const sorted = sortJobs(ticks);
    const active = sorted.filter((tick) => !tick.finished);
    const finished = sorted.filter((tick) => tick.finished).reverse();
    const room = rows - 2 - (this.#notice ? 1 : 0);
    const shown = sortJobs([...active, ...finished].slice(0, room));
    const nameWidth = Math.min(40, Math.max(8, ...shown.map((tick) => jobLabel(tick).length)));
    const statusWidth = Math.max(0, ...shown.map((tick) => tick.status.length));
    const header = `${this.#scopeKey}  ${ticks.length === 0 ? 'no jobs yet, waiting…' : summarize(ticks)}  (Ctrl-C to quit)`;
    const lines = [this.#bold(cut(header, columns - 1))];
    if (this.#notice) lines.push(cut(`! ${this.#notice}`, columns - 1));
    for (const tick of shown) {
      lines.push(
        formatBarLine(tick, now, {
          columns,
          colour: this.#colour,
          phase: this.#frame,
          nameWidth,
          statusWidth,
        }),
      );
    }
    if (shown.length < ticks.length) lines.push(`… ${ticks.length - shown.length} more not shown`);
    const up = this.#drawn > 0 ? `\r\x1b[${this.#drawn}A` : '';
    this.#out.write(`${up}${lines.map((line) => `\x1b[2K${line}\n`).join('')}\x1b[J`);
    this.#drawn = lines.length;
  }

  notice(message: string | null): void {
    this.#notice = message;
  }

  close(): void {
    this.#out.write('\x1b[?25h');
  }

  #bold(text: string): string {
    return this.#colour ? `\x1b[1m${text}\x1b[0m` : text;
  }
}

/**
 * Without a terminal (a pipe, a log file, CI): plain lines, one each time a job's status,
 * count or total changes, so the output is a readable log rather than a stream of frames.
 */
export class PlainRenderer implements WatchRenderer {
  readonly #out: CliOutput;
  readonly #err: CliOutput;
  readonly #scopeKey: string;
  readonly #printed = new Map<string, string>();
  #waiting = false;
  #notice: string | null = null;

  constructor(out: CliOutput, err: CliOutput, scopeKey: string) {
    this.#out = out;
    this.#err = err;
    this.#scopeKey = scopeKey;
  }

  render(ticks: readonly Tick[], now: Date): void {
    if (ticks.length === 0 && !this.#waiting) {
      this.#waiting = true;
      this.#out.write(`No jobs in ${this.#scopeKey} yet, waiting…\n`);
    }
    for (const tick of sortJobs(ticks)) {
      const state = `${tick.status} ${tick.count} ${tick.total} ${tick.errorCount}`;
      if (this.#printed.get(tick.id) === state) continue;
      this.#printed.set(tick.id, state);
      this.#out.write(`${formatPlainLine(tick, now)}\n`);
    }
  }

  notice(message: string | null): void {
    if (message !== null && message !== this.#notice) this.#err.write(`${message}\n`);
    this.#notice = message;
  }

  close(ticks: readonly Tick[]): void {
    if (ticks.length > 0) this.#out.write(`${this.#scopeKey}: ${summarize(ticks)}\n`);
  }
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
