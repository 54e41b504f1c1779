import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSE_HEADERS, type SseSink, type SseStream } from './sse-stream.js';

// The Node adapter lends each request's `ServerResponse` to the event stream route, keyed by
// the Web `Request` it built. Weak: an entry lives no longer than its request.
const responses = new WeakMap<Request, ServerResponse<IncomingMessage>>();

/** Called by the Node adapter: an event stream for `request` may write to `res` directly. */
export function lendResponse(request: Request, res: ServerResponse<IncomingMessage>): void {
  responses.set(request, res);
}

/**
 * The Node sink for `request` when the Node adapter serves it, else null (a fetch-style host:
 * use the Web sink). Writing to `res` directly spares each viewer a Web `ReadableStream`, its
 * reader and a pump: with thousands of viewers that is most of what a viewer costs.
 */
export function nodeSinkFor(request: Request): NodeSseSink | null {
  const res = responses.get(request);
  return res === undefined ? null : new NodeSseSink(res);
}

/**
 * An event stream written straight to Node's `ServerResponse`. The viewer has gone when the
 * response closes before it finished. A response that fell behind is destroyed, socket and
 * all, even while the kernel holds what a stalled client never read.
 */
export class NodeSseSink implements SseSink {
  readonly #res: ServerResponse<IncomingMessage>;
  // What Node held for the socket when a write filled it.
  #fullAt = 0;

  constructor(res: ServerResponse<IncomingMessage>) {
    this.#res = res;
  }

  open(stream: SseStream): void {
    const res = this.#res;
    res.writeHead(200, SSE_HEADERS);
    // Sent now, as one string: Node keeps the head for the response's life, and a head that
    // goes out with the first chunk stays a tree of ~40 concatenated pieces (1.2 KB, not 0.4).
    res.flushHeaders();
    // Not `once`: 'close' comes once anyway, and `once` costs a wrapper per viewer.
    res.on('close', () => stream.close());
    if (res.destroyed) stream.close();
  }

  /**
   * The bytes written since the socket filled (chunk framing included), until it drains. The
   * write that filled it is the connection's to carry, however large one event is.
   */
  get queuedBytes(): number {
    return this.#res.writableNeedDrain ? this.#res.writableLength - this.#fullAt : 0;
  }

  write(chunk: Uint8Array): void {
    const full = this.#res.writableNeedDrain;
    if (!this.#res.write(chunk) && !full) this.#fullAt = this.#res.writableLength;
  }

  end(): void {
    if (!this.#res.destroyed) this.#res.end();
  }

  destroy(): void {
    this.#res.destroy();
  }
}
