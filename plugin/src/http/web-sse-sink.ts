import { ProgressrusError } from '../core/errors.js';
import { SSE_HEADERS, type SseSink, type SseStream } from './sse-stream.js';

/**
 * An event stream's bytes as a Web `ReadableStream` body, so the same Response works in
 * Next.js, Hono, Bun and Deno. The viewer has gone when the request's signal aborts or the
 * host cancels the body.
 */
export class WebSseSink implements SseSink {
  readonly #signal: AbortSignal;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #body: ReadableStream<Uint8Array> | null;
  #stream: SseStream | null = null;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    this.#body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        cancel: () => this.#stream?.close(),
      },
      // Counted in bytes, so `desiredSize` tells how far behind the reader is.
      { highWaterMark: 1, size: (chunk) => chunk.byteLength },
    );
  }

  open(stream: SseStream): void {
    this.#stream = stream;
    this.#signal.addEventListener('abort', this.#abort);
    if (this.#signal.aborted) stream.close();
  }

  /**
   * The Response to return, once. The sink does not keep it: a Response and its headers, held
   * for as long as a viewer watches, are memory thousands of viewers would pay for nothing.
   */
  response(): Response {
    const body = this.#body;
    if (body === null) throw new ProgressrusError('WebSseSink.response() was taken already');
    this.#body = null;
    return new Response(body, { headers: SSE_HEADERS });
  }

  get queuedBytes(): number {
    // highWaterMark 1: an empty queue wants 1 byte. Null once errored: nothing waits then.
    return 1 - (this.#controller.desiredSize ?? 1);
  }

  write(chunk: Uint8Array): void {
    this.#controller.enqueue(chunk);
  }

  end(): void {
    this.#release();
    try {
      this.#controller.close();
    } catch {
      // Already closed or errored by the reader going away.
    }
  }

  destroy(error: Error): void {
    this.#release();
    this.#controller.error(error);
  }

  readonly #abort = () => this.#stream?.close();

  #release(): void {
    this.#signal.removeEventListener('abort', this.#abort);
    this.#stream = null;
  }
}
