import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { errorResponse, HttpError } from './http-error.js';
import { claimedSink, lendResponse, type NodeSseSink } from './node-sse-sink.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** Methods a Web `Request` cannot carry (fetch forbids them): answered here, never logged as errors. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Mounts a Web-standard handler on Node's `http` server, or as Express middleware (the same
 * signature). The URL is built from `req.originalUrl` when Express set it, so `basePath` is
 * the full mount path either way. The request's signal aborts when the client goes away.
 * Event streams of a progress handler are written straight to the `ServerResponse` (no Web
 * stream per viewer); any other response body is pumped from its `ReadableStream`.
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
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  const method = (req.method ?? 'GET').toUpperCase();
  let response: Response;
  let sink: NodeSseSink | null = null;
  if (FORBIDDEN_METHODS.has(method)) {
    response = errorResponse(
      new HttpError('bad_request', `Method ${method} is not allowed`, { allow: 'GET' }, 405),
    );
  } else {
    const request = toRequest(req, abort.signal);
    lendResponse(request, res);
    response = await handler(request);
    sink = claimedSink(request);
  }
  if (sink !== null) {
    if (response.status === 200 && response.body === null) {
      // An event stream writes to `res` itself and watches its 'close': the Request, its
      // signal and this listener would only be memory held for as long as the viewer watches.
      res.off('close', onClose);
      // The returned Response's head, so that headers a wrapper added (CORS, say) are sent.
      writeHead(res, response);
      res.flushHeaders();
      sink.start();
      return;
    }
    // A wrapper answered something else: the stream it would have fed ends unsent.
    sink.discard();
  }
  writeHead(res, response);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  // Headers go out now: an event stream may not write its first byte for a while.
  res.flushHeaders();
  // Returned, not awaited: a suspended `serve` would hold the response and its headers for as
  // long as the stream lives.
  return pump(response.body, res);
}

/** The status and headers of `response` as Node's head (Set-Cookie as separate lines). */
function writeHead(res: ServerResponse, response: Response): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const setCookies = response.headers.getSetCookie();
  if (setCookies.length > 0) headers['set-cookie'] = setCookies;
  res.writeHead(response.status, headers);
}

/**
 * Copies the body to the socket, waiting for the socket when it is full. Lighter than
 * `Readable.fromWeb(body).pipe(res)` (no Node stream, no pipe listeners per connection: it
 * counts with thousands of open event streams), and it sees a body that errors while the
 * socket is full: a stalled viewer's stream drops it, and its socket is destroyed at once.
 */
async function pump(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  // The client left: cancelling the body ends an event stream whatever became of the request.
  const cancel = () => reader.cancel().catch(() => {});
  res.on('close', cancel);
  // A body that fails while the socket is full (a stalled viewer, dropped) must not wait for a
  // drain that never comes: the socket goes now.
  reader.closed.catch(() => res.destroy());
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (!res.write(chunk.value)) await drained(res);
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', cancel);
  }
}

/** Resolves when the socket takes more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
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
