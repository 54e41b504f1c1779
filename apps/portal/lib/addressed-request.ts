/**
 * The request with the URL the browser used. Next.js hands route handlers a URL on
 * `localhost` whatever the Host header said, and the progress handler refuses a POST whose
 * Origin is not the request's own origin (its CSRF check), so a browser on 127.0.0.1 or a real
 * domain would always be refused. The Host header is the browser's to set, never a cross-site
 * page's. `X-Forwarded-Host` and `-Proto` are anyone's to send: they count only with
 * `trustProxy` (`TRUST_PROXY=1`), for a portal reachable only through a proxy that sets them.
 */
export function addressedRequest(request: Request, trustProxy: boolean): Request {
  const forwarded = (name: string) =>
    trustProxy ? (request.headers.get(name)?.split(',')[0]?.trim() ?? null) : null;
  const host = forwarded('x-forwarded-host') || request.headers.get('host');
  if (!host) return request;
  const given = new URL(request.url);
  const protocol = forwarded('x-forwarded-proto');
  const scheme = protocol === 'https' || protocol === 'http' ? `${protocol}:` : given.protocol;
  let url: URL;
  try {
    // A new URL, not `url.host = host`: that setter keeps the old port when `host` has none.
    url = new URL(`${given.pathname}${given.search}`, `${scheme}//${host}`);
  } catch {
    return request;
  }
  return new Request(url, { method: request.method, headers: request.headers, signal: request.signal });
}
