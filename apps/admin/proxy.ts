import { type NextRequest, NextResponse } from 'next/server';
import { BASIC_CHALLENGE, decideAccess, isSameOriginWrite } from './lib/auth';
import { clientAddress, requestOrigin } from './lib/client';
import { env } from './lib/env';
import { LoginThrottle } from './lib/login-throttle';
import { type ResponseKind, responseKind, securityHeaders } from './lib/security-headers';

// One per process, like the app's connections (lib/store.ts): `next dev` re-evaluates modules.
const cache = globalThis as typeof globalThis & { __progressrusLoginThrottle?: LoginThrottle };
const throttle = (cache.__progressrusLoginThrottle ??= new LoginThrottle());

/**
 * Every page, API and bull-board request passes here first (Next 16's renamed middleware, on
 * the Node.js runtime): failed sign-ins are throttled per client address, credentials and the
 * Origin of writes are checked, malformed paths are answered, and every response gets the
 * security headers (pages: a CSP with a fresh nonce, which Next.js puts on its scripts). Server
 * Actions check credentials again themselves (lib/actions.ts): a matcher change must never
 * leave a write unprotected.
 */
export function proxy(request: NextRequest): NextResponse {
  const config = env();
  const { headers } = request;
  const { pathname } = request.nextUrl;
  const kind = responseKind(pathname);
  const nonce = kind === 'page' ? Buffer.from(crypto.randomUUID()).toString('base64') : null;
  const security = securityHeaders(kind, nonce, !config.production);
  const answer = (status: number, body: string, extra: Record<string, string> = {}) =>
    new NextResponse(body, {
      status,
      headers: {
        ...security,
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        ...extra,
      },
    });

  const client = clientAddress(headers, config.trustProxy);
  const waitMs = throttle.retryAfterMs(client);
  if (waitMs > 0) {
    return answer(429, 'Too many failed sign-ins from this address. Try again later.\n', {
      'retry-after': String(Math.ceil(waitMs / 1000)),
    });
  }
  const authorization = headers.get('authorization');
  const decision = decideAccess({ authorization, host: headers.get('host') }, config);
  if (decision !== 'allow') {
    // A request without credentials is a browser asking which to send, not a failed guess.
    if (authorization !== null) throttle.fail(client);
    return answer(401, 'Authentication required.\n', { 'www-authenticate': BASIC_CHALLENGE });
  }
  if (authorization !== null) throttle.succeed(client);

  const sameOrigin = isSameOriginWrite({
    method: request.method,
    origin: headers.get('origin'),
    expectedOrigin: requestOrigin(headers, config.trustProxy),
  });
  if (!sameOrigin) return answer(403, 'Cross-site request refused.\n');

  const forward = new Headers(headers);
  if (nonce !== null) {
    forward.set('x-nonce', nonce);
    forward.set('content-security-policy', security['content-security-policy'] ?? '');
  }
  const response = isWellEncoded(pathname)
    ? NextResponse.next({ request: { headers: forward } })
    : malformedPath(kind, request, forward, answer);
  for (const [name, value] of Object.entries(security)) response.headers.set(name, value);
  return response;
}

/**
 * Next.js answers a path that is not valid percent-encoding (`/scopes/%`) with a bare 500 when
 * it decodes the route's parameters. Each kind gets its own 4xx instead: a page the app's
 * not-found view, the API its JSON error, bull-board its own 404.
 */
function malformedPath(
  kind: ResponseKind,
  request: NextRequest,
  forward: Headers,
  answer: (status: number, body: string) => NextResponse,
): NextResponse {
  if (kind === 'api') {
    return NextResponse.json(
      { error: { code: 'bad_request', message: 'The path is not valid percent-encoding' } },
      { status: 400, headers: { 'cache-control': 'no-store' } },
    );
  }
  if (kind === 'bull-board') return answer(404, '404 Not Found');
  // No route has this path: Next renders app/not-found.tsx with a 404.
  return NextResponse.rewrite(new URL('/_malformed-path', request.url), {
    request: { headers: forward },
  });
}

function isWellEncoded(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export const config = {
  // Only the build's own files skip the proxy: they are the same for every install and carry no
  // job data (next.config.ts still gives them the base security headers). Anchored: the
  // trailing slash keeps `/_next/staticx` and the like in, and nothing else is skipped.
  matcher: ['/((?!_next/static/).*)'],
};
