import type { JobDTO, Status } from 'progressrus/core';
import type { CSSProperties } from 'react';

interface CommonProps {
  /** Read instead of the percentage, e.g. "420 of 1,000 rows". */
  readonly valueText?: string;
  readonly className?: string;
}

/** What the bar reads of a job: a whole `JobDTO` will do. */
export type ProgressBarJob = Pick<JobDTO, 'name' | 'status' | 'percentage' | 'count'>;

/** Either a job, or a value and a label. */
export type ProgressBarProps =
  | (CommonProps & {
      readonly job: ProgressBarJob;
      /** The accessible name. @default job.name */
      readonly label?: string;
      readonly value?: never;
      readonly status?: never;
    })
  | (CommonProps & {
      /** 0–100; null when the total is unknown (indeterminate). Values past 100 show as 100. */
      readonly value: number | null;
      /** The accessible name, e.g. the job's name. */
      readonly label: string;
      /** Colours the bar like the status badge. @default 'running' */
      readonly status?: Status;
      readonly job?: never;
    });

/**
 * A progress bar with `role="progressbar"` and `aria-valuenow`/`min`/`max`. Without a value it
 * is indeterminate: no `aria-valuenow`, an animated stripe (static under `prefers-reduced-motion`).
 * The percentage is floored, so a bar never claims 100 % before the work is done.
 *
 * @example
 * <ProgressBar job={job} />
 * <ProgressBar value={42} label="Import" />
 */
export function ProgressBar(props: ProgressBarProps) {
  const { job } = props;
  const status = job ? job.status : (props.status ?? 'running');
  const label = props.label ?? job?.name ?? '';
  let value = job ? job.percentage : (props.value ?? null);
  // A completed job did all its work: full, whatever its last count (a processor may stop
  // ticking at 990 of 1,000, or its total be unknown), never "Completed" beside 99 %.
  if (status === 'completed') value = 100;
  const now =
    value === null || !Number.isFinite(value)
      ? null
      : Math.floor(Math.min(100, Math.max(0, value)));
  const valueText = props.valueText ?? (now === null ? countText(job) : `${now}%`);
  return (
    <div
      className={props.className ?? 'progressrus-bar'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={now ?? undefined}
      aria-valuetext={valueText}
      data-status={status}
      data-indeterminate={now === null ? '' : undefined}
      style={{ '--progressrus-value': now === null ? undefined : `${now}%` } as CSSProperties}
    >
      <div className="progressrus-bar-fill" />
    </div>
  );
}

function countText(job: ProgressBarJob | undefined): string | undefined {
  return job ? `${job.count} done, total unknown` : undefined;
}
