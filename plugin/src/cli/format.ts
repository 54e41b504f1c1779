import { STATUSES, type Status, type StatusCounts } from '../core/record.js';
import { sparklineOf } from '../core/history.js';
import type { Tick } from '../core/tick.js';

/** ANSI colours per status, used only on a terminal without NO_COLOR. */
const STATUS_COLOURS: Record<Status, string> = {
  started: '36',
  running: '36',
  completed: '32',
  failed: '31',
  stalled: '33',
  retrying: '35',
  delayed: '90',
  'waiting-children': '90',
  queued: '90',
  prioritized: '90',
  cancelled: '33',
};

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A progress bar of `width` cells, with eighth-cell precision so slow jobs visibly move.
 * An unknown total (`percentage === null`) draws a block that sweeps with `phase`.
 */
export function formatBar(percentage: number | null, width: number, phase = 0): string {
  if (percentage === null) {
    const block = Math.min(4, width);
    // Sweeps right then left: positions 0..span, then back.
    const span = width - block;
    const position = span > 0 ? Math.abs(Math.trunc(phase)) % (2 * span) : 0;
    const start = position <= span ? position : 2 * span - position;
    return `${' '.repeat(start)}${'█'.repeat(block)}${' '.repeat(width - start - block)}`;
  }
  const eighths = Math.round((Math.min(100, Math.max(0, percentage)) / 100) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = EIGHTHS[eighths % 8] ?? '';
  return `${'█'.repeat(full)}${partial}${' '.repeat(width - full - (partial ? 1 : 0))}`;
}

/** `42.0%`, `100%`, `—` for an unknown total. */
export function formatPercentage(percentage: number | null): string {
  if (percentage === null) return '—';
  if (percentage >= 100) return `${Math.floor(percentage)}%`;
  return `${percentage.toFixed(1)}%`;
}

const NUMBER = new Intl.NumberFormat('en-US');

/** `1,234/3,000`, or `1,234` when the total is unknown. */
export function formatCount(count: number, total: number | null): string {
  return total === null ? NUMBER.format(count) : `${NUMBER.format(count)}/${NUMBER.format(total)}`;
}

/** Items per second in the unit that keeps it readable: `85.3/s`, `1.2k/s`, `12/min`, `3.0/h`; `—` when unknown. */
export function formatRate(ratePerSecond: number | null): string {
  if (ratePerSecond === null || !Number.isFinite(ratePerSecond) || ratePerSecond < 0) return '—';
  if (ratePerSecond >= 1000) return `${compact(ratePerSecond / 1000)}k/s`;
  if (ratePerSecond >= 1) return `${compact(ratePerSecond)}/s`;
  if (ratePerSecond * 60 >= 1) return `${compact(ratePerSecond * 60)}/min`;
  if (ratePerSecond === 0) return '0/s';
  return `${compact(ratePerSecond * 3600)}/h`;
}

function compact(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

/** `45s`, `3m 05s`, `2h 07m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `ETA 21s`, `ETA —` while it cannot be estimated, empty once finished. */
export function formatEta(tick: Tick, now: Date): string {
  if (tick.finished) return '';
  const eta = tick.eta(now);
  return eta === null ? 'ETA —' : `ETA ${formatDuration(eta.getTime() - now.getTime())}`;
}

/** `3 s ago`-style age of a moment, for scope listings. */
export function formatAge(date: Date, now: Date): string {
  return `${formatDuration(now.getTime() - date.getTime())} ago`;
}

/** Wraps text in the colour of a status when colours are on. */
export function colourStatus(status: Status, colour: boolean): string {
  return colour ? `\x1b[${STATUS_COLOURS[status]}m${status}\x1b[0m` : status;
}

/** The name, and the id when the name alone may not tell jobs apart: `csv-import (imports:17)`. */
export function jobLabel(tick: Tick): string {
  return tick.name === tick.id ? tick.id : `${tick.name} (${tick.id})`;
}

/**
 * One line of `jobs` and of `watch` without a terminal: name, status, percentage, count,
 * rate, ETA. Stable columns, no colours, no bar, so it reads well in logs and greps.
 */
export function formatPlainLine(tick: Tick, now: Date): string {
  const parts = [
    jobLabel(tick),
    tick.status,
    formatPercentage(tick.percentage()),
    formatCount(tick.count, tick.total),
    tick.finished ? `in ${formatDuration(tick.elapsed(now))}` : formatRate(tick.ratePerSecond),
    formatEta(tick, now),
  ];
  if (tick.errorCount > 0) parts.push(`${tick.errorCount} errors`);
  if (tick.errorMessage && (tick.status === 'failed' || tick.status === 'retrying'))
    parts.push(`(${tick.errorMessage})`);
  return parts.filter((part) => part !== '').join('  ');
}

export interface BarLineOptions {
  /** Terminal width: the line never exceeds it, so redrawing in place never wraps. */
  readonly columns: number;
  readonly colour: boolean;
  /** Animation step for unknown totals. */
  readonly phase: number;
  /** Width of the name and status columns, so the bars of one screen line up. */
  readonly nameWidth: number;
  readonly statusWidth: number;
}

/** One line of `watch` on a terminal: `name [████▌    ] 42.0%  1,234/3,000  85.3/s  ETA 21s  running`. */
export function formatBarLine(tick: Tick, now: Date, options: BarLineOptions): string {
  const name = fit(jobLabel(tick), options.nameWidth).padEnd(options.nameWidth);
  const tail = [
    formatPercentage(tick.percentage()).padStart(6),
    formatCount(tick.count, tick.total).padStart(13),
    (tick.finished ? '' : formatRate(tick.ratePerSecond)).padStart(9),
    (tick.finished ? `in ${formatDuration(tick.elapsed(now))}` : formatEta(tick, now)).padEnd(12),
  ].join('  ');
  const status = tick.status;
  // The job's pace over its history, when it has one: a stall or a burst shows at a glance.
  // Shown only where it leaves the bar room enough: a narrow terminal keeps the bar.
  const base = name.length + 6 + tail.length + Math.max(status.length, options.statusWidth);
  const spark = `${sparklineOf(historyPoints(tick), SPARK_WIDTH)}  `;
  const pace = tick.history.length > 1 && options.columns - 1 - base - spark.length >= 20 ? spark : '';
  // ' [' bar '] ' tail '  ' pace status
  const fixed = base + pace.length;
  const barWidth = Math.max(0, Math.min(40, options.columns - 1 - fixed));
  const phase = tick.finished ? 0 : options.phase;
  const bar = barWidth >= 5 ? ` [${formatBar(tick.percentage(), barWidth, phase)}]` : '';
  const plain = `${name}${bar} ${tail}  ${pace}`;
  const visible = fit(`${plain}${status}`, options.columns - 1);
  // Colour only the status, and only when it was not cut off.
  return visible.length === plain.length + status.length
    ? `${plain}${colourStatus(status, options.colour)}`
    : visible;
}

const SPARK_WIDTH = 12;

function historyPoints(tick: Tick): { atMs: number; count: number }[] {
  return tick.history.map((point) => ({ atMs: point.at.getTime(), count: point.count }));
}

/** Cuts text to `width` characters, with an ellipsis when it had to cut. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** `3 running · 2 completed · 1 failed`: the statuses with jobs, in the order of STATUSES. */
export function formatSummary(counts: StatusCounts): string {
  const parts = STATUSES.filter((status) => counts[status] > 0).map(
    (status) => `${counts[status]} ${status}`,
  );
  return parts.length > 0 ? parts.join(' · ') : 'no jobs';
}
