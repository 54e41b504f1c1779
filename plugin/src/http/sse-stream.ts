import { ProgressrusError } from '../core/errors.js';
import { MAX_TIMER_MS } from '../core/validate.js';
import type { Beating, Heartbeats } from './heartbeats.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * Where an event stream's bytes go: a Web `ReadableStream` (fetch-style hosts) or Node's
 * `ServerResponse` (the Node adapter). The protocol — framing, `retry:`, heartbeats, expiry,
 * dropping a viewer that fell behind — is `SseStream`'s alone; a sink only carries bytes.
 */
export interface SseSink {
  /** Starts the response; from now on, a viewer that goes away calls `stream.close()`. */
  open(stream: SseStream): void;
  write(chunk: Uint8Array): void;
  /** Bytes written and not yet taken by the connection (what a slow reader makes pile up). */
  readonly queuedBytes: number;
  /** Ends after what is queued. */
  end(): void;
  /** Ends at once, discarding the queue, so the host closes the connection. */
  destroy(error: Error): void;
}

export interface SseStreamOptions {
  /** The handler's one heartbeat timer: a `: ping` keeps proxies from closing an idle stream. */
  readonly heartbeats: Heartbeats;
  /** Tells EventSource how long to wait before reconnecting. */
  readonly retryMs: number;
  /** Bytes a viewer may fall behind (queued, not yet taken by its connection) before it is dropped. */
  readonly maxQueuedBytes: number;
  /** When access ends (the token's expiry), in ms since the epoch; the stream ends then. */
  readonly endAtMs: number | null;
  readonly now: () => number;
  /** Called once when the stream ends, whoever ends it. */
  readonly onClose: () => void;
}

/** The status line's headers of every event stream, whichever sink carries it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...SECURITY_HEADERS,
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx buffers responses unless told not to; a buffered stream is not live.
  'x-accel-buffering': 'no',
});

// One encoder for every stream: an encoder per viewer is memory 10,000 viewers would pay for nothing.
const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');

/** One Server-Sent Event as bytes, `data` as one line of JSON: encode once, write to every viewer. */
export function encodeEvent(event: string, data: unknown, id: string): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * One viewer's Server-Sent Events stream over a sink. Ends on the viewer leaving, on `close()`,
 * or at the access's expiry; a viewer that stops reading is dropped (its connection closed) and
 * reconnects to resume. Its state is a few numbers: 10,000 of them are held at once.
 */
export class SseStream implements Beating {
  readonly #sink: SseSink;
  readonly #onClose: () => void;
  readonly #heartbeats: Heartbeats;
  readonly #maxQueuedBytes: number;
  #expiry: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  // What our writes added to the sink's queue (its own units: a Node socket counts chunk
  // framing, and takes bytes at once when it can), and what the connection had taken of it at
  // the last heartbeat: a reader that takes nothing while bytes wait is not reading.
  #pushed = 0;
  #takenAtBeat = 0;
  #idleBeats = 0;

  constructor(sink: SseSink, options: SseStreamOptions) {
    this.#sink = sink;
    this.#onClose = options.onClose;
    this.#heartbeats = options.heartbeats;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    sink.open(this);
    // The viewer may be gone already (the request was aborted while access was checked).
    if (this.#closed) return;
    this.write(encoder.encode(`retry: ${options.retryMs}\n\n`));
    this.#heartbeats.add(this);
    if (options.endAtMs !== null) {
      // A longer wait than a timer can hold just ends the stream early; the reconnect is still valid.
      const delayMs = Math.min(Math.max(0, options.endAtMs - options.now()), MAX_TIMER_MS);
      this.#expiry = setTimeout(() => this.close(), delayMs);
      (this.#expiry as { unref?: () => void }).unref?.();
    }
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
    const before = this.#sink.queuedBytes;
    this.#sink.write(chunk);
    const queued = this.#sink.queuedBytes;
    this.#pushed += queued - before;
    if (queued > this.#maxQueuedBytes) {
      this.#drop(`fell more than ${this.#maxQueuedBytes} bytes behind`);
    }
  }

  /**
   * Pings. Some hosts never tell a handler that its client left (no abort, no cancel): a stream
   * whose connection took nothing of what waited for it over two heartbeats has nobody reading
   * it, so it is dropped.
   */
  beat(): void {
    const queued = this.#sink.queuedBytes;
    const taken = this.#pushed - queued;
    this.#idleBeats = queued > 0 && taken === this.#takenAtBeat ? this.#idleBeats + 1 : 0;
    this.#takenAtBeat = taken;
    if (this.#idleBeats >= 2) this.#drop('read nothing for two heartbeats');
    else this.write(PING);
  }

  /** Ends the stream after what is queued. Idempotent. */
  close(): void {
    if (!this.#release()) this.#sink.end();
  }

  /**
   * Ends the stream at once, discarding what is queued: the host closes the connection, which a
   * stalled reader would otherwise keep open, with its queue, forever.
   */
  #drop(why: string): void {
    if (!this.#release())
      this.#sink.destroy(new ProgressrusError(`Event stream dropped: the viewer ${why}`));
  }

  /** Releases the stream's timers; true if it had ended already. */
  #release(): boolean {
    if (this.#closed) return true;
    this.#closed = true;
    this.#heartbeats.delete(this);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#onClose();
    return false;
  }
}
