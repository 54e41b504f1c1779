export { decodeRecord, encodeRecord, type WireFormat } from './codec.js';
export { type ErrorDTO, type JobDTO, type PageDTO, type ScopeDTO, toJobDTO, toScopeDTO } from './dto.js';
export {
  expected,
  MalformedRecordError,
  ProgressrusArgumentError,
  ProgressrusError,
  StoreError,
} from './errors.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { DEFAULT_RETENTION, type ProgresserOptions, type Retention } from './progresser-options.js';
export { Progresser } from './progresser.js';
export { Progressrus, type ProgressrusOptions } from './progressrus.js';
export { estimateFinish, straightLineFinish } from './rate.js';
export { type ExplicitState, lastActivity, type ProgressRecord, STATUSES, type Status } from './record.js';
export { redisKeys, type RedisKeys } from './redis-keys.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { normalizeScope, parseScopeKey, type Scope, type ScopePart, scopeKey } from './scope.js';
export { decodeCursor, encodeCursor } from './scope-page.js';
export type { ScopeEntry, ScopesPage, ScopesQuery, Store, StoreOptions } from './store.js';
export { STALLED_AFTER_INTERVALS, Tick } from './tick.js';
export { formatTime, parseTime } from './time.js';
export { withProgress } from './with-progress.js';
