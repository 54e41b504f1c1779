import { ProgressrusError } from '../core/errors.js';
import { MAX_TIMER_MS } from '../core/validate.js';
import type { Beating, Heartbeats } from './heartbeats.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface SseStreamOptions {
  /** The handler's one heartbeat timer: a `: ping` keeps proxies from closing an idle stream. */
  readonly heartbeats: Heartbeats;
  /** Tells EventSource how long to wait before reconnecting. */
  readonly retryMs: number;
  /** Bytes a viewer may fall behind (queued, not yet taken by the server's socket) before it is dropped. */
  readonly maxQueuedBytes: number;
  /** The request's signal: aborting it (the viewer left) ends the stream. */
  readonly signal: AbortSignal;
  /** When access ends (the token's expiry), in ms since the epoch; the stream ends then. */
  readonly endAtMs: number | null;
  readonly now: () => number;
  /** Called once when the stream ends, whoever ends it. */
  readonly onClose: () => void;
}

// One encoder for every stream: an encoder per viewer is memory 10,000 viewers would pay for nothing.
const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');

/** One Server-Sent Event as bytes, `data` as one line of JSON: encode once, write to every viewer. */
export function encodeEvent(event: string, data: unknown, id: string): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * A Server-Sent Events body as a Web `ReadableStream`, so the same Response works in Node,
 * Next.js, Hono, Bun and Deno. Ends on abort, cancel or `close()`; a viewer that stops reading
 * is dropped (the body errors, so the host closes the connection) and reconnects to resume.
 */
export class SseStream implements Beating {
  readonly #onClose: () => void;
  readonly #signal: AbortSignal;
  readonly #heartbeats: Heartbeats;
  readonly #maxQueuedBytes: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #body: ReadableStream<Uint8Array> | null;
  #expiry: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #pulledAt = Date.now();

  constructor(options: SseStreamOptions) {
    this.#onClose = options.onClose;
    this.#signal = options.signal;
    this.#heartbeats = options.heartbeats;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // Called whenever the reader took what was queued: proof that someone is still reading.
        pull: () => {
          this.#pulledAt = Date.now();
        },
        cancel: () => this.close(),
      },
      // Counted in bytes, so `desiredSize` tells how far behind the reader is.
      { highWaterMark: 1, size: (chunk) => chunk.byteLength },
    );
    this.write(encoder.encode(`retry: ${options.retryMs}\n\n`));
    this.#heartbeats.add(this);
    if (options.endAtMs !== null) {
      // A longer wait than a timer can hold just ends the stream early; the reconnect is still valid.
      const delayMs = Math.min(Math.max(0, options.endAtMs - options.now()), MAX_TIMER_MS);
      this.#expiry = setTimeout(() => this.close(), delayMs);
      (this.#expiry as { unref?: () => void }).unref?.();
    }
    this.#signal.addEventListener('abort', this.#abort);
    if (this.#signal.aborted) this.close();
  }

  /**
   * The Response to return, once. The stream does not keep it: a Response and its headers,
   * held for as long as a viewer watches, are memory thousands of viewers would pay for nothing.
   */
  response(): Response {
    const body = this.#body;
    if (body === null) throw new ProgressrusError('SseStream.response() was taken already');
    this.#body = null;
    return new Response(body, {
      headers: {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx buffers responses unless told not to; a buffered stream is not live.
        'x-accel-buffering': 'no',
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one event; `data` is serialized as one line of JSON. */
  send(event: string, data: unknown, id: string): void {
    this.write(encodeEvent(event, data, id));
  }

  /** Queues bytes already encoded (`encodeEvent`); the same bytes may go to many streams. */
  write(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#controller.enqueue(chunk);
    if (-(this.#controller.desiredSize ?? 0) > this.#maxQueuedBytes) {
      this.#drop(`fell more than ${this.#maxQueuedBytes} bytes behind`);
    }
  }

  /**
   * Some hosts never tell a handler that its client left (no abort, no cancel). A stream whose
   * queue has not moved for two heartbeats has nobody reading it, so it is dropped.
   */
  beat(): void {
    const waiting = (this.#controller.desiredSize ?? 1) <= 0;
    if (waiting && Date.now() - this.#pulledAt > 2 * this.#heartbeats.intervalMs) {
      this.#drop('read nothing for two heartbeats');
    } else this.write(PING);
  }

  readonly #abort = () => this.close();

  /** Ends the stream after what is queued. Idempotent. */
  close(): void {
    if (this.#release()) return;
    try {
      this.#controller.close();
    } catch {
      // Already closed or errored by the reader going away.
    }
  }

  /**
   * Ends the stream at once, discarding what is queued: the host sees the body fail and closes
   * the connection, which a stalled reader would otherwise keep open, with its queue, forever.
   */
  #drop(why: string): void {
    if (this.#release()) return;
    this.#controller.error(new ProgressrusError(`Event stream dropped: the viewer ${why}`));
  }

  /** Releases the stream's timers and listeners; true if it had ended already. */
  #release(): boolean {
    if (this.#closed) return true;
    this.#closed = true;
    this.#heartbeats.delete(this);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#signal.removeEventListener('abort', this.#abort);
    this.#onClose();
    return false;
  }
}
