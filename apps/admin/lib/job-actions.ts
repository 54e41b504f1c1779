import 'server-only';
import { JobActions } from 'progressrus/bullmq';
import { env } from './env';
import { redis, store } from './store';

// Cached on globalThis for the same reason as the Redis connection (lib/store.ts).
const cache = globalThis as typeof globalThis & { __progressrusJobActions?: JobActions };

/**
 * Cancel and retry, on the app's store and Redis: the same `JobActions` the HTTP API's POST
 * routes use (app/api/progress), so the admin's buttons and the API share one code path.
 */
export function jobActions(): JobActions {
  cache.__progressrusJobActions ??= new JobActions({
    store: store(),
    connection: redis(),
    queuePrefix: env().bullPrefix,
  });
  return cache.__progressrusJobActions;
}
