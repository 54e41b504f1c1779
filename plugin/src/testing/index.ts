export {
  type PostgresServer,
  PostgresServerNotFoundError,
  type PostgresServerOptions,
  startPostgresServer,
} from './postgres-server.js';
export {
  freePort,
  type RedisServer,
  RedisServerNotFoundError,
  type RedisServerOptions,
  startRedisServer,
} from './redis-server.js';
export { CHROMIUM_ARGS, ChromiumNotFoundError, chromiumLaunchOptions } from './chromium.js';
export { seededRandom } from './seeded-random.js';
