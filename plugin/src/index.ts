export { decodeRecord, encodeRecord, type WireFormat } from './core/codec.js';
export {
  type ErrorDTO,
  type JobDTO,
  type JobsPageDTO,
  type PageDTO,
  type ScopeDTO,
  toJobDTO,
  toJobsPageDTO,
  toScopeDTO,
} from './core/dto.js';
export {
  JobActionRefusedError,
  JobNotFoundError,
  MalformedRecordError,
  ProgressrusArgumentError,
  ProgressrusError,
  StoreError,
} from './core/errors.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory/memory-store.js';
export { DEFAULT_RETENTION, type ProgresserOptions, type Retention } from './core/progresser-options.js';
export { Progresser } from './core/progresser.js';
export { Progressrus, type ProgressrusOptions } from './progressrus.js';
export { estimateFinish } from './core/rate.js';
export { DURATION_SAMPLES, formatDuration, type TypicalDuration } from './core/durations.js';
export { HISTORY_POINTS, type HistoryPoint, sparklineOf } from './core/history.js';
export type { ActionOutcome, ActionResult, JobActor } from './core/job-actor.js';
export {
  EXPLICIT_STATES,
  type ExplicitState,
  JOB_ACTION_NAMES,
  type JobActionName,
  lastActivity,
  type ProgressRecord,
  type RecordAction,
  STATUSES,
  type Status,
} from './core/record.js';
export {
  countByStatus,
  JOB_SORTS,
  type JobSort,
  type JobSortKey,
  type JobsPage,
  type JobsQuery,
  jobSortKey,
  nameCollationKey,
  nameSearchKey,
  SORT_ORDERS,
  type SortOrder,
  type StatusCounts,
} from './stores/job-query.js';
export { redisKeys, type RedisKeys } from './stores/redis/redis-keys.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis/redis-store.js';
export { normalizeScope, parseScopeKey, type Scope, type ScopePart, scopeKey } from './core/scope.js';
export type {
  ScopeEntry,
  ScopesPage,
  ScopesQuery,
  Store,
  StoreOptions,
  StoreReader,
  StoreWriter,
} from './stores/store.js';
export { STALLED_AFTER_INTERVALS, Tick } from './core/tick.js';
export { formatTime, parseTime } from './core/time.js';
export { withProgress } from './core/with-progress.js';
