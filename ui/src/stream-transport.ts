import type { JobDTO, JobsPageDTO } from 'progressrus/core';
import type { ProgressClock } from './clock.js';
import type { EventSourceConstructor, EventSourceLike } from './progress-options.js';
import {
  type BackoffOptions,
  backoffMs,
  isJob,
  type ProgressTransport,
  type TransportSink,
} from './transport.js';

const EVENT_SOURCE_CLOSED = 2;

export interface StreamTransportOptions extends BackoffOptions {
  readonly EventSource: EventSourceConstructor;
  /** The stream's URL with the current token; `lastEventId` resumes a stream we closed ourselves. */
  readonly url: (lastEventId: string | null) => string;
  /** For messages: where the handler is mounted. */
  readonly baseUrl: string;
  readonly failuresBeforePolling: number;
  readonly clock: ProgressClock;
}

/**
 * Server-Sent Events from the handler's `/events`. The browser reconnects by itself after a
 * dropped stream (sending Last-Event-ID); after `failuresBeforePolling` failures in a row, or
 * an answer that is not a stream, it hands over to polling and tries again with backoff.
 */
export class StreamTransport implements ProgressTransport {
  readonly #options: StreamTransportOptions;
  readonly #sink: TransportSink;
  #source: EventSourceLike | null = null;
  #open = false;
  /** Last event id seen, so that a stream we reopen resumes instead of starting over. */
  #lastEventId: string | null = null;
  #failures = 0;
  #reopenTimer: unknown = null;

  constructor(options: StreamTransportOptions, sink: TransportSink) {
    this.#options = options;
    this.#sink = sink;
  }

  /** The stream is open and delivering. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** A stream exists (open or being opened by the browser). */
  get isActive(): boolean {
    return this.#source !== null;
  }

  /** `quiet`: a swap of an open stream (new token), which the viewer should not see as a reconnect. */
  start(quiet = false): void {
    this.#reopenTimer = null;
    const source = new this.#options.EventSource(this.#options.url(this.#lastEventId));
    this.#source = source;
    this.#open = false;
    source.addEventListener('open', () => {
      if (this.#source !== source) return;
      this.#open = true;
      this.#failures = 0;
      this.#sink.report({ connection: 'live', error: null });
    });
    source.addEventListener('error', () => this.#onError(source));
    source.addEventListener('snapshot', (event) => this.#onEvent(source, event, 'snapshot'));
    source.addEventListener('job', (event) => this.#onEvent(source, event, 'job'));
    source.addEventListener('removed', (event) => this.#onEvent(source, event, 'removed'));
    if (!quiet) this.#sink.report({ connection: 'connecting' });
  }

  /** Opens the stream again with the current URL (a new token), resuming after the last event. */
  reopen(): void {
    const wasOpen = this.#open;
    this.#close();
    this.start(wasOpen);
  }

  stop(): void {
    this.#close();
    if (this.#reopenTimer !== null) this.#options.clock.clearTimeout(this.#reopenTimer);
    this.#reopenTimer = null;
  }

  retryNow(): void {
    if (this.#reopenTimer === null) return;
    this.#options.clock.clearTimeout(this.#reopenTimer);
    this.start();
  }

  #onError(source: EventSourceLike): void {
    if (this.#source !== source) return;
    this.#open = false;
    this.#failures += 1;
    // CLOSED means the server answered with something other than a stream (an HTTP error);
    // the browser gives up on it. Polling then says why, and we retry the stream later.
    if (
      source.readyState === EVENT_SOURCE_CLOSED ||
      this.#failures >= this.#options.failuresBeforePolling
    ) {
      this.#close();
      this.#sink.fallBack();
      this.#scheduleReopen();
    } else {
      // The browser reconnects by itself after the server's `retry`, sending Last-Event-ID.
      this.#sink.report({ connection: 'connecting' });
    }
  }

  #onEvent(source: EventSourceLike, event: MessageEvent, type: 'snapshot' | 'job' | 'removed') {
    if (this.#source !== source) return;
    if (event.lastEventId) this.#lastEventId = event.lastEventId;
    let data: unknown;
    try {
      data = JSON.parse(String(event.data));
    } catch {
      this.#sink.report({
        error: new Error(`Malformed \`${type}\` event from ${this.#options.baseUrl}`),
      });
      return;
    }
    if (type === 'snapshot') {
      // A scope's snapshot is its first page and counts; later pages are the JSON API's.
      const snapshot = data as Partial<JobsPageDTO> | null;
      if (!Array.isArray(snapshot?.items)) return;
      const jobs = (snapshot.items as JobDTO[]).filter(isJob);
      this.#sink.report({ jobs: { type, jobs, page: snapshot } });
    } else if (type === 'job') {
      if (!isJob(data)) return;
      this.#sink.report({ jobs: { type, job: data } });
    } else {
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      this.#sink.report({ jobs: { type, id } });
    }
  }

  #scheduleReopen(): void {
    if (this.#reopenTimer !== null) return;
    this.#reopenTimer = this.#options.clock.setTimeout(
      () => this.start(),
      backoffMs(this.#options, this.#failures),
    );
  }

  #close(): void {
    this.#source?.close();
    this.#source = null;
    this.#open = false;
  }
}
