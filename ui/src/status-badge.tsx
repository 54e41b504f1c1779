import type { Status } from 'progressrus/core';

/** English names of the statuses; pass `label` to `<StatusBadge>` to translate. */
export const STATUS_LABELS: Readonly<Record<Status, string>> = {
  started: 'Started',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  stalled: 'Stalled',
  retrying: 'Retrying',
  delayed: 'Delayed',
  'waiting-children': 'Waiting for children',
  queued: 'Queued',
  prioritized: 'Queued (priority)',
  cancelled: 'Cancelled',
};

export interface StatusBadgeProps {
  readonly status: Status;
  /** The text shown. @default STATUS_LABELS[status] */
  readonly label?: string;
  readonly className?: string;
}

/**
 * A job's status as a coloured pill. The colour comes from `--progressrus-<status>`; the text
 * carries the meaning, so nothing depends on telling colours apart.
 *
 * @example
 * <StatusBadge status={job.status} />
 */
export function StatusBadge({ status, label, className }: StatusBadgeProps) {
  return (
    <span className={className ?? 'progressrus-badge'} data-status={status}>
      {label ?? STATUS_LABELS[status] ?? status}
    </span>
  );
}
