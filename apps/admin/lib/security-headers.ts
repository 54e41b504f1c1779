/**
 * The headers every admin response carries, and the Content-Security-Policy of each kind of
 * response. One place, so a page, the JSON API, bull-board and the proxy's own refusals can never
 * disagree. Isomorphic (no Node imports): proxy.ts and next.config.ts both read it.
 */

/** What a response is, which decides its Content-Security-Policy. */
export type ResponseKind = 'page' | 'api' | 'bull-board';

/**
 * Sent with every response, including the build's static files (next.config.ts): no framing by
 * another site (the clickjacking the probe found), no MIME sniffing, no URL in a Referer.
 */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});

/**
 * The policy for the app's own pages. Next.js 16 puts the nonce it finds in the request's
 * `Content-Security-Policy` on every script it renders; 'strict-dynamic' then lets those scripts
 * load the chunks they need, and nothing else runs. Inline style attributes (progress bar
 * widths, skeletons) need 'unsafe-inline' for styles: they cannot carry a nonce, and a style
 * cannot run code. `next dev` evaluates modules with eval, so only development allows it.
 */
export function pageCsp(nonce: string, development: boolean): string {
  return policy({
    'default-src': ["'self'"],
    'script-src': [
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
    ],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  });
}

/**
 * bull-board's UI: its own scripts from /queues/static only, no inline script. Its HTML has a
 * `<base href>`, an inline `<style>` and style attributes, and loads IBM Plex from Google Fonts.
 */
export const BULL_BOARD_CSP = policy({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
  'font-src': ["'self'", 'https://fonts.gstatic.com'],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
});

/** JSON and event streams are data: nothing in them may load or run, or be framed. */
export const API_CSP = policy({
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
});

/** The kind of response a path gets. */
export function responseKind(pathname: string): ResponseKind {
  if (pathname === '/api' || pathname.startsWith('/api/')) return 'api';
  if (pathname === '/queues' || pathname.startsWith('/queues/')) return 'bull-board';
  return 'page';
}

/** Every security header for one response; pages need their request's nonce. */
export function securityHeaders(
  kind: ResponseKind,
  nonce: string | null,
  development: boolean,
): Record<string, string> {
  const csp =
    kind === 'api'
      ? API_CSP
      : kind === 'bull-board'
        ? BULL_BOARD_CSP
        : pageCsp(nonce ?? '', development);
  return { ...BASE_SECURITY_HEADERS, 'content-security-policy': csp };
}

function policy(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
