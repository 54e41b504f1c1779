import 'server-only';
import { Redis } from 'ioredis';
import { env } from './env';

// One connection per process. Cached on globalThis because `next dev` re-evaluates modules on
// every edit, and each evaluation would otherwise open (and leak) another connection.
const cache = globalThis as typeof globalThis & { __progressrusPortalRedis?: Redis };

/**
 * The portal's Redis connection: the progress records and the demo's queues. Commands fail
 * after one reconnect attempt instead of queueing forever, so a dead Redis shows as an error.
 */
export function redis(): Redis {
  if (cache.__progressrusPortalRedis) return cache.__progressrusPortalRedis;
  const connection = new Redis(env().redisUrl, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 250, 2000),
  });
  // Without a listener ioredis prints every failed reconnect as an unhandled error event.
  connection.on('error', () => {});
  cache.__progressrusPortalRedis = connection;
  return connection;
}
