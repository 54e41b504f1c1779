import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SseSink, SseStream } from './sse-stream.js';

interface Exchange {
  readonly res: ServerResponse<IncomingMessage>;
  sink: NodeSseSink | null;
}

// The Node adapter lends each request's `ServerResponse` to the event stream route, keyed by the
// Web `Request` it built; the route's sink is handed back the same way. Weak: an entry lives no
// longer than its request, which nothing keeps once the adapter is done.
const exchanges = new WeakMap<Request, Exchange>();

/** Called by the Node adapter: an event stream for `request` may write to `res` directly. */
export function lendResponse(request: Request, res: ServerResponse<IncomingMessage>): void {
  exchanges.set(request, { res, sink: null });
}

/**
 * The Node sink for `request` when the Node adapter serves it, else null (a fetch-style host:
 * use the Web sink). Writing to `res` directly spares each viewer a Web `ReadableStream`, its
 * reader and a pump: with thousands of viewers that was half of what a viewer cost.
 */
export function nodeSinkFor(request: Request): NodeSseSink | null {
  const exchange = exchanges.get(request);
  if (exchange === undefined) return null;
  exchange.sink = new NodeSseSink(exchange.res);
  return exchange.sink;
}

/** Called by the Node adapter once the handler returned: the sink the route wrote to, if any. */
export function claimedSink(request: Request): NodeSseSink | null {
  return exchanges.get(request)?.sink ?? null;
}

/**
 * An event stream written straight to Node's `ServerResponse`. What the stream writes before the
 * adapter has sent the head (the handler's returned Response's, wrappers' headers included)
 * waits in the sink. The viewer has gone when the response closes. A response that fell behind
 * is destroyed, socket and all, even while the kernel holds what a stalled client never read.
 */
export class NodeSseSink implements SseSink {
  readonly #res: ServerResponse<IncomingMessage>;
  #stream: SseStream | null = null;
  // Written before the head went out; null once it has.
  #early: Uint8Array[] | null = [];
  #ended = false;
  // What Node held for the socket when a write filled it.
  #fullAt = 0;

  constructor(res: ServerResponse<IncomingMessage>) {
    this.#res = res;
  }

  open(stream: SseStream): void {
    this.#stream = stream;
    // Not `once`: 'close' comes once anyway, and `once` costs a wrapper per viewer.
    this.#res.on('close', () => stream.close());
    if (this.#res.destroyed) stream.close();
  }

  /** The head is out (sent by the adapter): what waited goes now. */
  start(): void {
    const early = this.#early ?? [];
    this.#early = null;
    for (const chunk of early) this.write(chunk);
    if (this.#ended) this.end();
  }

  /** The handler's caller answered with another response: the stream ends without a byte sent. */
  discard(): void {
    this.#stream?.close();
  }

  /**
   * The bytes written since the socket filled (chunk framing included), until it drains. The
   * write that filled it is the connection's to carry, however large one event is.
   */
  get queuedBytes(): number {
    return this.#res.writableNeedDrain ? this.#res.writableLength - this.#fullAt : 0;
  }

  write(chunk: Uint8Array): void {
    if (this.#early !== null) {
      this.#early.push(chunk);
      return;
    }
    const full = this.#res.writableNeedDrain;
    if (!this.#res.write(chunk) && !full) this.#fullAt = this.#res.writableLength;
  }

  end(): void {
    this.#ended = true;
    if (this.#early === null && !this.#res.destroyed) this.#res.end();
  }

  destroy(): void {
    this.#res.destroy();
  }
}
