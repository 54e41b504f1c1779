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

/** `'1,234/s'`, `'2.5/s'`, `'12/min'` for slow jobs. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond >= 100) return `${integer.format(Math.round(perSecond))}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  return `${(perSecond * 60).toFixed(1)}/min`;
}

/** `'42%'`, `'99.5%'`; `'—'` when the total is unknown. */
export function formatPercentage(percentage: number | null): string {
  if (percentage === null) return '—';
  return percentage >= 10 || Number.isInteger(percentage)
    ? `${Math.floor(percentage)}%`
    : `${percentage.toFixed(1)}%`;
}
