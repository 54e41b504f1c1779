/**
 * Number and duration formatting shared by server and client components (times are formatted
 * by @progressrus/ui, which knows the viewer's zone). Pure, so server and browser agree.
 */

/** `'850 ms'`, `'42 s'`, `'3 min 20 s'`, `'2 h 05 min'`, `'3 d 4 h'`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const integer = new Intl.NumberFormat('en');

export function formatCount(value: number): string {
  return integer.format(value);
}

/** `'1 job'`, `'3 jobs'`, `'1,200 running jobs'`: a count and its noun, in the plural unless 1. */
export function formatCountOf(value: number, noun: string): string {
  return `${formatCount(value)} ${noun}${value === 1 ? '' : 's'}`;
}

/** `'1,234/s'`, `'2.5/s'`, `'12/min'` for slow jobs. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond >= 100) return `${integer.format(Math.round(perSecond))}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  return `${(perSecond * 60).toFixed(1)}/min`;
}

/** A job's percentage as its bar shows it: a completed job reads 100 % (see ProgressBar). */
export function formatJobPercentage(job: { readonly status: string; readonly percentage: number | null }): string {
  return formatPercentage(job.status === 'completed' ? 100 : job.percentage);
}

/** `'42%'`, `'99.5%'`; `'—'` when the total is unknown. */
export function formatPercentage(percentage: number | null): string {
  if (percentage === null) return '—';
  return percentage >= 10 || Number.isInteger(percentage)
    ? `${Math.floor(percentage)}%`
    : `${percentage.toFixed(1)}%`;
}

const ordinals = new Intl.PluralRules('en', { type: 'ordinal' });
const SUFFIXES: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };

/** `'1st'`, `'2nd'`, `'3rd'`, `'11th'`, `'1,002nd'`. */
export function formatOrdinal(value: number): string {
  return `${integer.format(value)}${SUFFIXES[ordinals.select(value)] ?? 'th'}`;
}

/**
 * A waiting job's place: `'3rd in queue · expected to start in ~40 s'`; a delayed job's:
 * `'delayed (2nd) · expected to start in ~2 min 05 s'`; without a pace, no expected start.
 */
export function formatQueuePosition(
  where: { readonly state: string; readonly position: number; readonly expectedStartMs: number | null },
  nowMs: number,
): string {
  const place =
    where.state === 'delayed' ? `delayed (${formatOrdinal(where.position)})` : `${formatOrdinal(where.position)} in queue`;
  if (where.expectedStartMs === null) return `${place} · no job finished in the last 5 minutes to expect a start from`;
  const inMs = where.expectedStartMs - nowMs;
  return `${place} · expected to start ${inMs < 1000 ? 'any moment' : `in ~${formatDuration(inMs)}`}`;
}
