/**
 * Sent with every response of the progress handler, JSON and event streams alike. Its answers
 * are data, never documents: nothing in them may run, load, be framed or be sniffed as HTML,
 * and a link followed from a browser viewing one leaks no URL (which may carry `?token=`).
 * Frozen, so an app can spread it into its own responses but never change ours by accident.
 *
 * @example
 * new Response(body, { headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain' } });
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});
