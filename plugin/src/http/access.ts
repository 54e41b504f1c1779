import type { JobActionName } from '../core/record.js';
import { HttpError } from './http-error.js';
import { isProgressToken, type SigningKey, verifyWithKeys } from './token.js';

/** What a request does to a scope: read it (every GET), or an action on one of its jobs (POST). */
export type Access = 'read' | JobActionName;

/**
 * Decides whether a request may read a scope (`null`: the list of all scopes), or take an
 * action on a job of it (`access` is then `'cancel'` or `'retry'`). Return true to serve it.
 * Called after the query is validated, with the scope's normalized parts. A handler with
 * `actions` asks it for each POST: an `authorize` that ignores `access` lets whoever reads
 * a scope also cancel its jobs.
 *
 * @example
 * authorize: async (request, scope, access) => {
 *   const user = await currentUser(request);
 *   if (user?.isAdmin) return true;
 *   // users read their own jobs and may cancel them, never retry
 *   return access !== 'retry' && scope !== null && scope.join(':') === `user:${user?.id}`;
 * }
 */
export type Authorize = (
  request: Request,
  scope: readonly string[] | null,
  access: Access,
) => boolean | Promise<boolean>;

/** Access granted; a token's grant ends when the token expires (an event stream ends with it). */
export interface Grant {
  readonly expiresAt: Date | null;
}

export interface AccessOptions {
  readonly authorize: Authorize | null;
  readonly tokenKeys: readonly SigningKey[] | null;
  readonly now: () => number;
}

/**
 * Serves a request when its signed token covers exactly the scope (and, for an action, was
 * minted with it), or else when `authorize` says yes. A token that is present but invalid or
 * expired is a 401 at once, so a browser knows to fetch a new one; a valid token never opens
 * anything but its own scope, and never an action it was not minted with.
 */
export async function checkAccess(
  request: Request,
  url: URL,
  scope: readonly string[] | null,
  options: AccessOptions,
  access: Access = 'read',
): Promise<Grant> {
  const token = findToken(request, url);
  if (token !== null) {
    const claims =
      options.tokenKeys === null ? null : verifyWithKeys(token, options.tokenKeys, options.now());
    if (claims === null)
      throw new HttpError('unauthorized', 'The progress token is invalid or expired', BEARER);
    if (
      scope !== null &&
      sameScope(claims.scope, scope) &&
      (access === 'read' || claims.actions.includes(access))
    ) {
      return { expiresAt: claims.expiresAt };
    }
  }
  if (options.authorize !== null && (await options.authorize(request, scope, access)) === true) {
    return { expiresAt: null };
  }
  if (token === null && options.authorize === null) {
    throw new HttpError('unauthorized', 'A progress token is required', BEARER);
  }
  const what =
    scope === null ? 'the list of scopes' : `the scope ${JSON.stringify(scope.join(':'))}`;
  const verb = access === 'read' ? 'read' : `${access} jobs of`;
  throw new HttpError('forbidden', `Not allowed to ${verb} ${what}`);
}

const BEARER = { 'www-authenticate': 'Bearer' };

/** `Authorization: Bearer prg2.…`, or `?token=` (EventSource cannot set headers). */
function findToken(request: Request, url: URL): string | null {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (match?.[1] && isProgressToken(match[1])) return match[1];
  return url.searchParams.get('token');
}

/** Part by part, exactly: no prefix, no pattern, no case folding. */
function sameScope(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}
