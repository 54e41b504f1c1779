import { MAX_TIMER_MS } from '../core/validate.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface SseStreamOptions {
  /** A `: ping` comment this often keeps proxies from closing an idle stream. */
  readonly heartbeatMs: number;
  /** Tells EventSource how long to wait before reconnecting. */
  readonly retryMs: number;
  /** The request's signal: aborting it (the viewer left) ends the stream. */
  readonly signal: AbortSignal;
  /** When access ends (the token's expiry), in ms since the epoch; the stream ends then. */
  readonly endAtMs: number | null;
  readonly now: () => number;
  /** Called once when the stream ends, whoever ends it. */
  readonly onClose: () => void;
}

/** A viewer that reads slower than this many queued events is dropped; it reconnects and resumes. */
const MAX_QUEUED_EVENTS = 10_000;

/**
 * A Server-Sent Events body as a Web `ReadableStream`, so the same Response works in Node,
 * Next.js, Hono, Bun and Deno. Owns the heartbeat timer and ends on abort, cancel or `close()`.
 */
export class SseStream {
  readonly response: Response;
  readonly #encoder = new TextEncoder();
  readonly #onClose: () => void;
  readonly #signal: AbortSignal;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #end: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #pulledAt = Date.now();

  constructor(options: SseStreamOptions) {
    this.#onClose = options.onClose;
    this.#signal = options.signal;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      // Called whenever the reader took what was queued: proof that someone is still reading.
      pull: () => {
        this.#pulledAt = Date.now();
      },
      cancel: () => this.close(),
    });
    this.response = new Response(body, {
      headers: {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx buffers responses unless told not to; a buffered stream is not live.
        'x-accel-buffering': 'no',
      },
    });
    this.#write(`retry: ${options.retryMs}\n\n`);
    this.#heartbeat = setInterval(() => this.#beat(options.heartbeatMs), options.heartbeatMs);
    // The stream, not its timer, decides whether a process stays up.
    (this.#heartbeat as { unref?: () => void }).unref?.();
    if (options.endAtMs !== null) {
      // A longer wait than a timer can hold just ends the stream early; the reconnect is still valid.
      const delayMs = Math.min(Math.max(0, options.endAtMs - options.now()), MAX_TIMER_MS);
      this.#end = setTimeout(() => this.close(), delayMs);
      (this.#end as { unref?: () => void }).unref?.();
    }
    this.#signal.addEventListener('abort', this.#abort);
    if (this.#signal.aborted) this.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one event; `data` is serialized as one line of JSON. */
  send(event: string, data: unknown, id: string): void {
    this.#write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * Some hosts never tell a handler that its client left (no abort, no cancel). A stream whose
   * queue has not moved for two heartbeats has nobody reading it, so it ends.
   */
  #beat(heartbeatMs: number): void {
    const waiting = (this.#controller.desiredSize ?? 1) <= 0;
    if (waiting && Date.now() - this.#pulledAt > 2 * heartbeatMs) this.close();
    else this.#write(': ping\n\n');
  }

  #write(text: string): void {
    if (this.#closed) return;
    if ((this.#controller.desiredSize ?? 0) < -MAX_QUEUED_EVENTS) {
      this.close();
      return;
    }
    this.#controller.enqueue(this.#encoder.encode(text));
  }

  readonly #abort = () => this.close();

  /** Ends the stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#end) clearTimeout(this.#end);
    this.#signal.removeEventListener('abort', this.#abort);
    try {
      this.#controller.close();
    } catch {
      // Already closed or errored by the reader going away.
    }
    this.#onClose();
  }
}
