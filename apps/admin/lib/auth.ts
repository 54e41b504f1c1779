import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminEnv } from './env';

/** What the admin answers a request, before any page or API sees it. */
export type AccessDecision = 'allow' | 'challenge';

/** The `WWW-Authenticate` header that makes a browser ask for the user name and password. */
export const BASIC_CHALLENGE = 'Basic realm="Progressrus admin", charset="UTF-8"';

/**
 * Decides whether a request may reach the admin. With credentials configured, only a correct
 * HTTP Basic `Authorization` header passes. Without them (allowed in development only, see
 * env.ts) only requests addressed to a loopback host pass, so a dev server that a colleague can
 * reach over the network still asks for nothing it cannot check and serves nothing.
 *
 * @example
 * decideAccess({ authorization: 'Basic b3BzOnMzY3JldA==', host: 'admin.example' }, env); // 'allow'
 */
export function decideAccess(
  request: { readonly authorization: string | null; readonly host: string | null },
  env: Pick<AdminEnv, 'credentials' | 'production'>,
): AccessDecision {
  if (env.credentials === null)
    return !env.production && isLoopbackHost(request.host) ? 'allow' : 'challenge';
  return checkBasicAuth(request.authorization, env.credentials) ? 'allow' : 'challenge';
}

/**
 * True when an `Authorization: Basic …` header carries exactly these credentials. Both the user
 * and the password are compared, always, in constant time: SHA-256 digests have equal lengths,
 * so `timingSafeEqual` never leaks how long the secret is or where the first difference lies.
 */
export function checkBasicAuth(
  header: string | null,
  credentials: { readonly user: string; readonly password: string },
): boolean {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? '');
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? '' : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  const userOk = safeEqual(user, credentials.user);
  const passwordOk = safeEqual(password, credentials.password);
  return colon !== -1 && userOk && passwordOk;
}

function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * True when a state-changing request (POST, PUT, PATCH, DELETE) comes from a page of this very
 * site. Browsers send cached Basic credentials with cross-site form posts too, so without this a
 * page elsewhere could make a signed-in admin's browser delete records or clean queues in
 * bull-board. The whole origin must match, scheme included (an `http://` page of the same host
 * is another site), against `expectedOrigin` from lib/client.ts, which believes forwarded
 * headers only behind a trusted proxy. A request without `Origin` is not from a browser page
 * (curl, scripts) and passes.
 */
export function isSameOriginWrite(request: {
  readonly method: string;
  readonly origin: string | null;
  readonly expectedOrigin: string | null;
}): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method.toUpperCase())) return true;
  if (request.origin === null) return true;
  if (request.expectedOrigin === null) return false;
  try {
    return new URL(request.origin).origin === new URL(request.expectedOrigin).origin;
  } catch {
    return false;
  }
}

/** `localhost:3000`, `127.0.0.1`, `[::1]:3000` → true. */
export function isLoopbackHost(host: string | null): boolean {
  if (host === null) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
