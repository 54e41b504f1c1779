import { progressApi } from '@/lib/progress-api';

// Live data: never cached or prerendered.
export const dynamic = 'force-dynamic';

/** Jobs and live events of the token's scope. */
export function GET(request: Request): Promise<Response> {
  return progressApi()(request);
}

/** `POST /job/cancel`: a user cancels one of their own jobs (the token carries the right). */
export function POST(request: Request): Promise<Response> {
  return progressApi()(asAddressed(request));
}

/**
 * The request with the URL the browser used. Next.js hands route handlers a URL on
 * `localhost` whatever the Host header said, and the handler refuses a POST whose Origin is
 * not the request's own origin (its CSRF check): a browser on 127.0.0.1 or a real domain would
 * always be refused. The Host header is the browser's to set, never a cross-site page's.
 */
function asAddressed(request: Request): Request {
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (host === null) return request;
  const url = new URL(request.url);
  url.host = host;
  const protocol = request.headers.get('x-forwarded-proto');
  if (protocol === 'https' || protocol === 'http') url.protocol = `${protocol}:`;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
  });
}
