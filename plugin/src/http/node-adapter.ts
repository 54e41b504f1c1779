import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { errorResponse, HttpError } from './http-error.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** Methods a Web `Request` cannot carry (fetch forbids them): answered here, never logged as errors. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Mounts a Web-standard handler on Node's `http` server, or as Express middleware (the same
 * signature). The URL is built from `req.originalUrl` when Express set it, so `basePath` is
 * the full mount path either way. The request's signal aborts when the client goes away,
 * which ends event streams.
 *
 * @example
 * http.createServer(toNodeHandler(handler)).listen(3000);
 * app.use('/api/progress', toNodeHandler(handler)); // Express, with basePath: '/api/progress'
 */
export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void {
  return (req, res, next) => {
    serve(handler, req, res).catch((error: unknown) => {
      if (next) return next(error);
      if (!res.headersSent) {
        res.writeHead(500, {
          ...SECURITY_HEADERS,
          'content-type': 'application/json; charset=utf-8',
        });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }));
      } else res.destroy();
    });
  };
}

async function serve(
  handler: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const abort = new AbortController();
  // 'close' on the response fires when it is done or the socket is gone; only the latter aborts.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const method = (req.method ?? 'GET').toUpperCase();
  const response = FORBIDDEN_METHODS.has(method)
    ? errorResponse(
        new HttpError('bad_request', `Method ${method} is not allowed`, { allow: 'GET' }, 405),
      )
    : await handler(toRequest(req, abort.signal));
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const setCookies = response.headers.getSetCookie();
  if (setCookies.length > 0) headers['set-cookie'] = setCookies;
  res.writeHead(response.status, headers);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  // Headers go out now: an event stream may not write its first byte for a while.
  res.flushHeaders();
  const body = Readable.fromWeb(
    response.body as import('node:stream/web').ReadableStream<Uint8Array>,
  );
  res.on('close', () => body.destroy());
  body.on('error', () => res.destroy());
  body.pipe(res);
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  // Concatenated, not resolved: a path like '//other.host/x' must stay a path.
  const host = /^[\w.:[\]-]+$/.test(req.headers.host ?? '') ? req.headers.host : 'localhost';
  const url = new URL(`http://${host}${path.startsWith('/') ? '' : '/'}${path}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}
