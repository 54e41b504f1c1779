import 'server-only';
import { RedisStore } from 'progressrus';
import { createProgressHandler, type ProgressHandler } from 'progressrus/http';
import { signingKeys } from './current-user';
import { env } from './env';
import { redis } from './redis';

const cache = globalThis as typeof globalThis & { __progressrusPortalApi?: ProgressHandler };

/**
 * The progress API the browser reads, mounted at /api/progress. Tokens only, no `authorize`:
 * a request is served when its token covers exactly the scope it asks for, so a user's page
 * can never be turned (by the URL, the request or devtools) into another user's jobs — that
 * is a 403. The token comes from the page, minted for the signed-in user (progress-token.ts).
 */
export function progressApi(): ProgressHandler {
  cache.__progressrusPortalApi ??= createProgressHandler({
    store: new RedisStore({ connection: redis(), prefix: env().prefix, publish: false }),
    basePath: '/api/progress',
    tokenSecret: signingKeys().progress,
    changes: { connection: redis(), prefix: env().prefix },
  });
  return cache.__progressrusPortalApi;
}
