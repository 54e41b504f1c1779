import 'server-only';
import { createProgressHandler, type ProgressHandler } from 'progressrus/http';
import { env } from './env';
import { jobActions } from './job-actions';
import { redis, store, storeKind } from './store';

const cache = globalThis as typeof globalThis & { __progressrusApi?: ProgressHandler };

/**
 * The JSON and Server-Sent Events API the live tables read, at /api/progress. Every request
 * reaching it has passed the admin's own credentials check in proxy.ts (a same-origin
 * EventSource sends the browser's Basic credentials), so it authorizes every scope, and its
 * POST routes (cancel, retry) run the same JobActions as the pages' buttons, behind the
 * handler's Origin check.
 */
export function progressApi(): ProgressHandler {
  cache.__progressrusApi ??= createProgressHandler({
    store: store(),
    basePath: '/api/progress',
    authorize: () => true,
    actions: jobActions(),
    // Writers to PostgreSQL publish nothing to follow: without a feed the browsers poll instead.
    ...(storeKind() === 'redis' ? { changes: { connection: redis(), prefix: env().prefix } } : {}),
  });
  return cache.__progressrusApi;
}
