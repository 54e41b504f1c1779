import { HttpError } from './http-error.js';

/**
 * Refuses a cross-site POST, so a page on another site cannot make a signed-in user's browser
 * cancel their jobs with the user's cookies (CSRF). Browsers send `Origin` on every POST; it
 * must be the handler's own origin (as the request URL has it, or `X-Forwarded-Host` behind a
 * proxy: pass the public origin in `allowedOrigins` then) or one of `allowedOrigins`. A
 * request without `Origin` comes from no browser (curl, a server), so no cookie rides along
 * unasked; `Sec-Fetch-Site: cross-site` is refused all the same.
 */
export function checkOrigin(request: Request, url: URL, allowedOrigins: readonly string[]): void {
  const origin = request.headers.get('origin');
  if (origin === null) {
    if (request.headers.get('sec-fetch-site') === 'cross-site')
      throw refused('a cross-site request');
    return;
  }
  if (origin === url.origin || allowedOrigins.includes(origin)) return;
  throw refused(`origin ${JSON.stringify(origin)}`);
}

function refused(what: string): HttpError {
  return new HttpError(
    'forbidden',
    `Actions are not accepted from ${what}: add the site's origin to \`allowedOrigins\``,
  );
}
