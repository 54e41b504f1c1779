export { CancelButton, type CancelButtonProps, isCancellable } from './cancel-button.js';
export { type ProgressClock, systemClock } from './clock.js';
export { ProgressHttpError } from './errors.js';
export { Eta, type EtaProps } from './eta.js';
export {
  formatExactDateTime,
  formatRelative,
  formatShortDateTime,
  type TimeFormatOptions,
} from './format-time.js';
export { JOB_LIST_LABELS, JobList, type JobListLabels, type JobListProps } from './job-list.js';
export { LocalTime, type LocalTimeProps } from './local-time.js';
export { ProgressBar, type ProgressBarJob, type ProgressBarProps } from './progress-bar.js';
export { ProgressChart, type ProgressChartProps, sparkline } from './progress-chart.js';
export type {
  EventSourceConstructor,
  EventSourceLike,
  FetchLike,
  ProgressOptions,
} from './progress-options.js';
export type { Connection, ProgressState } from './progress-state.js';
export type { ProgressTarget } from './progress-target.js';
export { liveStatus, withLiveStatus } from './live-status.js';
export { STATUS_LABELS, StatusBadge, type StatusBadgeProps } from './status-badge.js';
export { type UseProgressOptions, useProgress } from './use-progress.js';
export { tokenActions } from './token-actions.js';
export { useNow } from './use-now.js';
