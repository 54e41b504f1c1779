import { type NextRequest, NextResponse } from 'next/server';
import { BASIC_CHALLENGE, decideAccess, isSameOriginWrite } from './lib/auth';
import { env } from './lib/env';

/**
 * Every page, API and bull-board request passes here first (Next 16's renamed middleware, on
 * the Node.js runtime). Server Actions check again themselves (lib/actions.ts): a matcher
 * change must never leave a write unprotected.
 */
export function proxy(request: NextRequest): NextResponse {
  const { headers } = request;
  const decision = decideAccess(
    { authorization: headers.get('authorization'), host: headers.get('host') },
    env(),
  );
  if (decision !== 'allow') {
    return new NextResponse('Authentication required.\n', {
      status: 401,
      headers: { 'WWW-Authenticate': BASIC_CHALLENGE, 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const sameOrigin = isSameOriginWrite({
    method: request.method,
    origin: headers.get('origin'),
    host: headers.get('host'),
    forwardedHost: headers.get('x-forwarded-host'),
  });
  if (!sameOrigin) {
    return new NextResponse('Cross-site request refused.\n', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  return NextResponse.next();
}

export const config = {
  // Build assets are public anyway (the same for every install) and carry no job data.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
