import { RedisChangeFeed } from '../stores/redis/redis-changes.js';
import type { ChangeFeed } from '../stores/change-feed.js';
import { checkAccess } from './access.js';
import { ChangeHub } from './change-hub.js';
import { errorResponse, HttpError, toHttpError } from './http-error.js';
import { type ProgressHandlerOptions, resolveHandlerOptions } from './handler-options.js';
import { Heartbeats } from './heartbeats.js';
import { streamEvents } from './routes/events.js';
import { getJob } from './routes/job.js';
import { listJobs } from './routes/jobs.js';
import type { Route, RouteContext } from './routes/route.js';
import { jobAction } from './routes/job-action.js';
import { listScopes } from './routes/scopes.js';
import { TypicalDurations } from './typical-durations.js';

const ROUTES: Readonly<Record<string, { readonly method: 'GET' | 'POST'; readonly route: Route }>> =
  {
    '/scopes': { method: 'GET', route: listScopes },
    '/jobs': { method: 'GET', route: listJobs },
    '/job': { method: 'GET', route: getJob },
    '/events': { method: 'GET', route: streamEvents },
    '/job/cancel': { method: 'POST', route: jobAction('cancel') },
    '/job/retry': { method: 'POST', route: jobAction('retry') },
  };

/** A Web-standard request handler, plus `close()` to end its event streams and subscription. */
export interface ProgressHandler {
  (request: Request): Promise<Response>;
  /** Ends every open event stream and releases the change subscription (and its connection, if the handler opened it). Idempotent. */
  close(): Promise<void>;
  /** Event streams open right now (for metrics and tests). */
  readonly viewers: number;
}

/**
 * The HTTP API over a store: JSON for scopes and jobs, Server-Sent Events for live changes,
 * and, with `actions`, POST routes to cancel and retry jobs.
 * `(Request) => Promise<Response>`, so it mounts unchanged in Next.js, Hono, Bun and Deno, and
 * in Node's `http` or Express through `toNodeHandler()`.
 *
 * @example
 * // app/api/progress/[...path]/route.ts (Next.js)
 * const handler = createProgressHandler({
 *   store: new RedisStore({ connection: redis }),
 *   changes: { connection: redis },
 *   basePath: '/api/progress',
 *   authorize: async (request, scope) => (await session(request))?.isAdmin === true,
 *   tokenSecret: process.env.PROGRESS_TOKEN_SECRET,
 * });
 * export const GET = handler;
 * export const POST = handler; // with `actions`: /job/cancel, /job/retry
 */
export function createProgressHandler(input: ProgressHandlerOptions): ProgressHandler {
  const options = resolveHandlerOptions(input);
  const { changes } = options;
  // A feed built here from `{ connection }` is the handler's to close; a ChangeFeed passed in is not.
  const ownedFeed =
    changes !== null && !('subscribe' in changes)
      ? new RedisChangeFeed({ ...changes, onError: options.onError })
      : null;
  const feed: ChangeFeed | null =
    ownedFeed ?? (changes !== null && 'subscribe' in changes ? changes : null);
  const typical = new TypicalDurations(options.store);
  const hub =
    feed === null
      ? null
      : new ChangeHub({
          store: options.store,
          feed,
          replayLimit: options.replayLimit,
          now: options.now,
          onError: options.onError,
          typical,
        });
  const heartbeats = new Heartbeats(options.heartbeatMs);
  let closed: Promise<void> | null = null;

  const handler = async (request: Request): Promise<Response> => {
    try {
      const url = new URL(request.url);
      const entry = ROUTES[routePath(url.pathname, options.basePath)];
      if (entry === undefined) throw new HttpError('not_found', `No route ${url.pathname}`);
      if (request.method !== entry.method) {
        throw new HttpError(
          'bad_request',
          `Method ${request.method} is not allowed`,
          { allow: entry.method },
          405,
        );
      }
      if (closed !== null) throw new HttpError('internal', 'The progress handler is closed');
      const context: RouteContext = {
        request,
        url,
        options,
        hub,
        heartbeats,
        typical,
        authorize: (scope, access) => checkAccess(request, url, scope, options, access),
      };
      return await entry.route(context);
    } catch (error) {
      const httpError = toHttpError(error, options.exposeErrors);
      if (httpError.code === 'internal') options.onError(error as Error);
      return errorResponse(httpError);
    }
  };
  const close = () =>
    (closed ??= (async () => {
      await hub?.close();
      await ownedFeed?.close();
    })());
  return Object.defineProperties(handler, {
    close: { value: close },
    viewers: { get: () => hub?.size ?? 0 },
  }) as ProgressHandler;
}

/** The path below `basePath`, without a trailing slash; '' when the request is not under it. */
function routePath(pathname: string, basePath: string): string {
  if (!pathname.startsWith(basePath)) return '';
  const rest = pathname.slice(basePath.length);
  return rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest;
}
