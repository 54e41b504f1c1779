import type { StatusCounts } from '../core/record.js';
import type { Tick } from '../core/tick.js';
import type { CliOutput } from './context.js';
import { formatBarLine, formatPlainLine, formatSummary, jobLabel } from './format.js';

/** What one read of `watch` shows: some jobs (unfinished first) and the whole scope's counts. */
export interface WatchView {
  readonly ticks: readonly Tick[];
  readonly counts: StatusCounts;
  readonly total: number;
}

/** Draws the jobs of one scope each time `watch` reads them. */
export interface WatchRenderer {
  render(view: WatchView, now: Date): void;
  /** A problem worth showing, e.g. a lost connection; `null` clears it. */
  notice(message: string | null): void;
  close(view: WatchView): void;
}

/** Oldest start first, so a job keeps its place on screen while it runs. */
export function sortJobs(ticks: readonly Tick[]): Tick[] {
  const started = (tick: Tick) => tick.startedAt?.getTime() ?? tick.updatedAt?.getTime() ?? 0;
  return [...ticks].sort((a, b) => started(a) - started(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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

  render({ ticks, counts, total }: WatchView, now: Date): void {
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
    const header = `${this.#scopeKey}  ${total === 0 ? 'no jobs yet, waiting…' : formatSummary(counts)}  (Ctrl-C to quit)`;
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
    if (shown.length < total) lines.push(`… ${total - shown.length} more not shown`);
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

  render({ ticks, total }: WatchView, now: Date): void {
    if (total === 0 && !this.#waiting) {
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

  close({ counts, total }: WatchView): void {
    if (total > 0) this.#out.write(`${this.#scopeKey}: ${formatSummary(counts)}\n`);
  }
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
