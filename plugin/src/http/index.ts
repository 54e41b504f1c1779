export type { Change, ChangeFeed } from '../stores/change-feed.js';
export { LocalChangeFeed } from '../stores/local-changes.js';
export { RedisChangeFeed, type RedisChangeFeedOptions } from '../stores/redis/redis-changes.js';
export type { Access, Authorize } from './access.js';
export { createProgressHandler, type ProgressHandler } from './handler.js';
export type { ProgressHandlerOptions } from './handler-options.js';
export { type ErrorCode, errorResponse, HttpError } from './http-error.js';
export { toNodeHandler } from './node-adapter.js';
export { SECURITY_HEADERS } from './security-headers.js';
export {
  createProgressToken,
  type ProgressTokenClaims,
  type ProgressTokenOptions,
  type TokenSecret,
  type TokenSecrets,
  verifyProgressToken,
} from './token.js';
