/**
 * `progressrus/core`: what runs anywhere, browsers included — no Buffer, no `node:*`, no
 * ioredis. The scope rules, the statuses, the shapes the HTTP API serves, the error classes and
 * the one validation format, so that `@progressrus/ui` uses these instead of copies.
 */
export type { ErrorDTO, JobDTO, JobsPageDTO, PageDTO, ScopeDTO } from './dto.js';
export { formatDuration, type TypicalDuration } from './durations.js';
export { type HistoryPoint, sparklineOf } from './history.js';
export {
  expected,
  MalformedRecordError,
  ProgressrusArgumentError,
  ProgressrusError,
  StoreError,
} from './errors.js';
export {
  EXPLICIT_STATES,
  type ExplicitState,
  JOB_ACTION_NAMES,
  type JobActionName,
  STATUSES,
  type Status,
  type StatusCounts,
} from './record.js';
export {
  normalizeScope,
  parseScopeKey,
  type Scope,
  type ScopeEntry,
  type ScopePart,
  SCOPE_SEPARATOR,
  scopeKey,
} from './scope.js';
export {
  check,
  checkBoolean,
  checkInteger,
  checkNonEmptyString,
  checkNonNegative,
  checkObject,
  checkOptionalFunction,
  checkPositive,
  checkRange,
  MAX_TIMER_MS,
} from './validate.js';
