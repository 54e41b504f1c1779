import { type IncomingMessage, Server, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { PEER_ADDRESS_HEADER, PEER_SCHEME_HEADER } from './client';
import { API_CSP, BASE_SECURITY_HEADERS } from './security-headers';

/**
 * Methods a Web `Request` cannot carry: Next.js fails to build one and logs a stack trace for
 * every such request. They have no use here, so they get a quiet 405 before Next sees them.
 */
const REFUSED_METHODS = new Set(['TRACE', 'TRACK']);

let installed = false;

/**
 * Sees every request of this process's HTTP servers before Next.js does (instrumentation.ts
 * installs it at start). It answers TRACE/TRACK with a 405, and records what only the
 * connection knows, its peer address and whether it is TLS, in headers that proxy.ts reads:
 * Next.js 16 gives a proxy no other way to learn the client address. A client's own values
 * under those names are overwritten, never believed. Idempotent.
 */
export function installRequestGuard(): void {
  if (installed) return;
  installed = true;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function guardedEmit(
    this: Server,
    event: string | symbol,
    ...args: unknown[]
  ): boolean {
    if (event === 'request' && guard(args[0] as IncomingMessage, args[1] as ServerResponse))
      return true;
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}

/** True when the request was answered here. */
function guard(request: IncomingMessage, response: ServerResponse): boolean {
  if (REFUSED_METHODS.has((request.method ?? '').toUpperCase())) {
    const body = 'Method not allowed.\n';
    response.writeHead(405, {
      ...BASE_SECURITY_HEADERS,
      'content-security-policy': API_CSP,
      allow: 'GET, HEAD, POST',
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    response.end(body);
    return true;
  }
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? '';
  request.headers[PEER_SCHEME_HEADER] = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return false;
}
