export {
  type Closable,
  type CloseGracefullyOptions,
  type CloseOnSignalsOptions,
  type CloseOutcome,
  closeGracefully,
  closeOnSignals,
} from './close-on-signals.js';
export { JobActions, type JobActionsOptions } from './job-actions.js';
export { type JobProgressOptions, SCOPE_DATA_FIELD } from './job-progress-options.js';
export { ProgressQueue, type ProgressQueueOptions } from './progress-queue.js';
export { ProgressWorker, type ProgressWorkerOptions } from './progress-worker.js';
export { type QueuePosition, queuePosition } from './queue-position.js';
export { type FlushableProcessor, type ProgressProcessor, withJobProgress } from './with-job-progress.js';
