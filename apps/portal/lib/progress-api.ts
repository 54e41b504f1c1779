import 'server-only';
import { DEMO_PROGRESS } from '@progressrus/demo/progress-options';
import { JobActions } from 'progressrus/bullmq';
import { createProgressHandler, type ProgressHandler } from 'progressrus/http';
import { signingKeys } from './current-user';
import { env } from './env';
import { redis } from './redis';
import { store } from './store';

const cache = globalThis as typeof globalThis & { __progressrusPortalApi?: ProgressHandler };

/**
 * The progress API the browser reads, mounted at /api/progress. Tokens only, no `authorize`:
 * a request is served when its token covers exactly the scope it asks for, so a user's page
 * can never be turned (by the URL, the request or devtools) into another user's jobs — that
 * is a 403. The token comes from the page, minted for the signed-in user (progress-token.ts)
 * with the one action a user may take on their own jobs: cancel (`POST /job/cancel`).
 */
export function progressApi(): ProgressHandler {
  cache.__progressrusPortalApi ??= createProgressHandler({
    store: store(),
    basePath: '/api/progress',
    tokenSecret: signingKeys().progress,
    changes: { connection: redis(), prefix: env().prefix },
    actions: new JobActions({
      store: store(),
      connection: redis(),
      queuePrefix: env().bullPrefix,
      retention: DEMO_PROGRESS.retention,
    }),
  });
  return cache.__progressrusPortalApi;
}
