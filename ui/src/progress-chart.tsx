import { type JobDTO, sparklineOf } from 'progressrus/core';

export interface ProgressChartProps {
  readonly job: JobDTO;
  /** The accessible name. @default `Progress of ${job.name}` */
  readonly label?: string;
  /** Drawing size in CSS pixels; the SVG scales to its box. @default 480 × 160 */
  readonly width?: number;
  readonly height?: number;
  readonly className?: string;
}

const PAD = { left: 8, right: 8, top: 8, bottom: 8 };

interface Point {
  readonly atMs: number;
  readonly count: number;
  readonly retry: boolean;
}

/**
 * A job's count over time as an accessible SVG (`role="img"` with a label, a `<title>` and a
 * `<desc>` that says the same in words): the progress history as a line, the ETA's projection
 * ahead as a dashed line to the total, each retry marked with a labelled dot, and a stall marked
 * where the job went quiet. No chart library: a polyline and a few marks cost less than one.
 *
 * @example
 * <ProgressChart job={job} />
 */
export function ProgressChart({ job, label, width = 480, height = 160, className }: ProgressChartProps) {
  const points: Point[] = job.history.map((p) => ({ atMs: Date.parse(p.at), count: p.count, retry: p.retry }));
  const name = label ?? `Progress of ${job.name}`;
  const etaMs = job.eta === null ? null : Date.parse(job.eta);
  const last = points.at(-1);
  const first = points[0];
  const stalled = job.status === 'stalled' && last !== undefined;
  const stalledAtMs = stalled && job.stalledAt ? Date.parse(job.stalledAt) : null;
  const endMs = Math.max(etaMs ?? 0, stalledAtMs ?? 0, last?.atMs ?? 0);
  const top = Math.max(job.total ?? 0, ...points.map((p) => p.count), 1);
  const x = (ms: number) =>
    first === undefined || endMs <= first.atMs
      ? PAD.left
      : PAD.left + ((ms - first.atMs) / (endMs - first.atMs)) * (width - PAD.left - PAD.right);
  const y = (count: number) => height - PAD.bottom - (count / top) * (height - PAD.top - PAD.bottom);
  const line = points.map((p) => `${x(p.atMs).toFixed(1)},${y(p.count).toFixed(1)}`).join(' ');
  const retries = points.filter((p) => p.retry);
  return (
    <svg
      className={className ?? 'progressrus-chart'}
      role="img"
      aria-label={name}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      data-status={job.status}
    >
      <title>{name}</title>
      <desc>{describe(job, points, retries.length)}</desc>
      <line className="progressrus-chart-axis" x1={PAD.left} x2={width - PAD.right} y1={y(0)} y2={y(0)} />
      {job.total !== null ? (
        <line className="progressrus-chart-total" x1={PAD.left} x2={width - PAD.right} y1={y(job.total)} y2={y(job.total)} />
      ) : null}
      {points.length > 1 ? <polyline className="progressrus-chart-line" points={line} fill="none" /> : null}
      {last !== undefined && etaMs !== null && job.total !== null && etaMs > last.atMs ? (
        <line
          className="progressrus-chart-eta"
          data-testid="eta-projection"
          x1={x(last.atMs)}
          y1={y(last.count)}
          x2={x(etaMs)}
          y2={y(job.total)}
          strokeDasharray="6 4"
        >
          <title>{`Projected finish ${new Date(etaMs).toISOString()}`}</title>
        </line>
      ) : null}
      {retries.map((p) => (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is not interactive; role="img" names one mark of the chart
        <g key={p.atMs} role="img" aria-label="Retry">
          <title>{`Retry at ${new Date(p.atMs).toISOString()}`}</title>
          <circle className="progressrus-chart-retry" cx={x(p.atMs)} cy={y(p.count)} r={4} />
        </g>
      ))}
      {stalled && last !== undefined ? (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is not interactive; role="img" names one mark of the chart
        <g role="img" aria-label="Stalled">
          <title>{`No progress since ${new Date(last.atMs).toISOString()}`}</title>
          <rect
            className="progressrus-chart-stall"
            x={x(last.atMs) - 4}
            y={y(last.count) - 4}
            width={8}
            height={8}
          />
        </g>
      ) : null}
    </svg>
  );
}

function describe(job: JobDTO, points: readonly Point[], retries: number): string {
  if (points.length === 0) return 'No progress history yet.';
  const last = points.at(-1) as Point;
  const parts = [
    `${points.length} samples, ${last.count}${job.total === null ? '' : ` of ${job.total}`} done.`,
  ];
  if (retries > 0) parts.push(`${retries} ${retries === 1 ? 'retry' : 'retries'}.`);
  if (job.status === 'stalled') parts.push('Stalled.');
  if (job.eta !== null) parts.push(`Projected finish ${job.eta}.`);
  return parts.join(' ');
}

/** `▁▂▃▄▅▆▇█`: a job's history as a text sparkline of `width` cells (progress per cell, scaled). */
export function sparkline(history: JobDTO['history'], width = 16): string {
  return sparklineOf(
    history.map((p) => ({ atMs: Date.parse(p.at), count: p.count })),
    width,
  );
}
