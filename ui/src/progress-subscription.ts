import type { ErrorDTO, JobDTO, JobsPageDTO, StatusCounts } from 'progressrus/core';
import { ProgressHttpError } from './errors.js';
import { JobSet } from './job-set.js';
import { LiveCounts } from './live-counts.js';
import type { EventSourceLike, ResolvedProgressOptions } from './progress-options.js';
import type { ResolvedTarget } from './progress-target.js';
import { ProgressUrls } from './progress-urls.js';

/**
 * How fresh the data is: `connecting` before the first answer, `live` while the event stream
 * is open, `polling` while polls succeed instead, `offline` while nothing gets through.
 */
export type Connection = 'connecting' | 'live' | 'polling' | 'offline';

export interface ProgressState {
  /** The scope's jobs (or the one job), newest start first. */
  readonly jobs: readonly JobDTO[];
  /** The job asked for with `{ scope, id }`; null for a whole scope or while it does not exist. */
  readonly job: JobDTO | null;
  readonly connection: Connection;
  /** The last failure; null again once data flows. A `ProgressHttpError` carries the status. */
  readonly error: Error | null;
  /** True once a first snapshot has arrived. */
  readonly loaded: boolean;
  /**
   * A whole scope's jobs by status: the last snapshot's or poll's, moved by the live events
   * that follow (see LiveCounts); null for one job, or before the first answer.
   */
  readonly counts: StatusCounts | null;
  /** A whole scope's live jobs, kept like `counts`; null like `counts`. */
  readonly total: number | null;
}

const EVENT_SOURCE_CLOSED = 2;

/**
 * Follows one target through the HTTP API, framework-free (`useProgress` wraps it). Prefers
 * Server-Sent Events; when the browser has no EventSource, the server refuses the stream, or
 * the stream keeps failing, it polls and keeps retrying the stream with exponential backoff.
 * A refusal that asking again cannot fix (400, 401, 403) stops everything.
 */
export class ProgressSubscription {
  readonly #target: ResolvedTarget;
  readonly #options: ResolvedProgressOptions;
  #urls: ProgressUrls;
  #token: string | null;
  readonly #jobs = new JobSet();
  readonly #counts = new LiveCounts();
  readonly #listeners = new Set<(state: ProgressState) => void>();
  #state: ProgressState;
  #source: EventSourceLike | null = null;
  #sourceOpen = false;
  /** Last event id seen, so that a stream we reopen resumes instead of starting over. */
  #lastEventId: string | null = null;
  #streamFailures = 0;
  #streamTimer: unknown = null;
  #polling = false;
  #pollTimer: unknown = null;
  #pollFailures = 0;
  /** Bumped when polling stops, so that the answer of a poll already in flight is dropped. */
  #pollGeneration = 0;
  /** Nothing runs: closed by its owner, or given up after a refusal (a new token may lift it). */
  #stopped = false;
  #closed = false;

  constructor(
    target: ResolvedTarget,
    options: ResolvedProgressOptions,
    initialJobs?: readonly JobDTO[],
  ) {
    this.#target = target;
    this.#options = options;
    this.#token = options.token;
    this.#urls = new ProgressUrls(options.url, target, options.token);
    if (initialJobs) this.#jobs.replaceAll(initialJobs.filter((job) => this.#concerns(job)));
    this.#state = {
      ...this.#jobsState(),
      connection: 'connecting',
      error: null,
      loaded: initialJobs !== undefined,
    };
  }

  get state(): ProgressState {
    return this.#state;
  }

  /** Calls `listener` after every change of `state`; returns the unsubscribe function. */
  subscribe(listener: (state: ProgressState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#stopped || this.#source !== null || this.#polling) return;
    globalThis.addEventListener?.('online', this.#onOnline);
    if (this.#options.EventSource) this.#openStream();
    else this.#startPolling();
  }

  /** Closes the stream and stops every timer. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#halt();
    this.#listeners.clear();
  }

  /**
   * Uses a new token from now on, keeping the jobs shown: an open stream is reopened at once
   * with it, resuming after the last event seen (the server ends a stream when its token
   * expires, so a token renewed before then leaves no gap), polls use it from the next one,
   * and a subscription that gave up after a refusal (401, 403) starts again.
   */
  setToken(token: string | null): void {
    if (token === this.#token || this.#closed) return;
    this.#token = token;
    this.#urls = new ProgressUrls(this.#options.url, this.#target, token);
    if (this.#stopped) {
      this.#stopped = false;
      this.start();
    } else if (this.#source !== null) {
      const wasOpen = this.#sourceOpen;
      this.#closeStream();
      this.#openStream(wasOpen);
    }
  }

  /** Back online (a laptop waking up): try now rather than at the end of a long backoff. */
  readonly #onOnline = (): void => {
    if (this.#stopped || this.#sourceOpen) return;
    if (this.#streamTimer !== null) {
      this.#clearStreamTimer();
      this.#openStream();
    }
    if (this.#polling && this.#pollTimer !== null) {
      this.#options.clock.clearTimeout(this.#pollTimer);
      void this.#poll();
    }
  };

  /** `quiet`: a swap of an open stream (new token), which the viewer should not see as a reconnect. */
  #openStream(quiet = false): void {
    this.#streamTimer = null;
    const EventSource = this.#options.EventSource;
    if (this.#stopped || EventSource === null) return;
    const source = new EventSource(this.#urls.events(this.#lastEventId));
    this.#source = source;
    this.#sourceOpen = false;
    source.addEventListener('open', () => {
      if (this.#source !== source) return;
      this.#sourceOpen = true;
      this.#streamFailures = 0;
      this.#stopPolling();
      this.#update({ connection: 'live', error: null });
    });
    source.addEventListener('error', () => this.#onStreamError(source));
    source.addEventListener('snapshot', (event) => this.#onStreamEvent(source, event, 'snapshot'));
    source.addEventListener('job', (event) => this.#onStreamEvent(source, event, 'job'));
    source.addEventListener('removed', (event) => this.#onStreamEvent(source, event, 'removed'));
    if (!this.#polling && !quiet) this.#update({ connection: 'connecting' });
  }

  #onStreamError(source: EventSourceLike): void {
    if (this.#source !== source) return;
    this.#sourceOpen = false;
    this.#streamFailures += 1;
    // CLOSED means the server answered with something other than a stream (an HTTP error);
    // the browser gives up on it. Polling then says why, and we retry the stream later.
    if (
      source.readyState === EVENT_SOURCE_CLOSED ||
      this.#streamFailures >= this.#options.failuresBeforePolling
    ) {
      this.#closeStream();
      this.#startPolling();
      this.#scheduleStream();
    } else if (!this.#polling) {
      // The browser reconnects by itself after the server's `retry`, sending Last-Event-ID.
      this.#update({ connection: 'connecting' });
    }
  }

  #onStreamEvent(
    source: EventSourceLike,
    event: MessageEvent,
    type: 'snapshot' | 'job' | 'removed',
  ): void {
    if (this.#source !== source) return;
    if (event.lastEventId) this.#lastEventId = event.lastEventId;
    let data: unknown;
    try {
      data = JSON.parse(String(event.data));
    } catch {
      this.#update({ error: new Error(`Malformed \`${type}\` event from ${this.#options.url}`) });
      return;
    }
    if (type === 'snapshot') {
      // A scope's snapshot is its first page and counts; later pages are the JSON API's.
      const snapshot = data as Partial<JobsPageDTO> | null;
      if (!Array.isArray(snapshot?.items)) return;
      this.#jobs.replaceAll(snapshot.items.filter((job) => isJob(job) && this.#concerns(job)));
      this.#counts.reset(snapshot);
    } else if (type === 'job') {
      if (!isJob(data) || !this.#concerns(data)) return;
      this.#counts.put(this.#jobs.get(data.id), data);
      this.#jobs.put(data);
    } else {
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      const previous = this.#jobs.get(id);
      if (previous !== null) this.#counts.remove(previous);
      this.#jobs.remove(id);
    }
    this.#update({ ...this.#jobsState(), loaded: true });
  }

  #scheduleStream(): void {
    if (this.#stopped || this.#streamTimer !== null || this.#options.EventSource === null) return;
    this.#streamTimer = this.#options.clock.setTimeout(
      () => this.#openStream(),
      this.#backoff(this.#streamFailures),
    );
  }

  #closeStream(): void {
    this.#source?.close();
    this.#source = null;
    this.#sourceOpen = false;
  }

  #clearStreamTimer(): void {
    if (this.#streamTimer !== null) this.#options.clock.clearTimeout(this.#streamTimer);
    this.#streamTimer = null;
  }

  #startPolling(): void {
    if (this.#stopped || this.#polling) return;
    if (this.#options.fetch === null) {
      this.#update({ connection: 'offline' });
      return;
    }
    this.#polling = true;
    void this.#poll();
  }

  #stopPolling(): void {
    this.#polling = false;
    this.#pollGeneration += 1;
    if (this.#pollTimer !== null) this.#options.clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  async #poll(): Promise<void> {
    this.#pollTimer = null;
    const generation = this.#pollGeneration;
    const current = () => this.#polling && generation === this.#pollGeneration && !this.#sourceOpen;
    try {
      const page = await this.#fetchJobs();
      if (!current()) return;
      this.#pollFailures = 0;
      this.#jobs.replaceAll(page.items);
      this.#counts.reset(page);
      this.#update({
        ...this.#jobsState(),
        connection: 'polling',
        error: null,
        loaded: true,
      });
    } catch (error) {
      if (!current()) return;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure instanceof ProgressHttpError && !failure.retryable) {
        this.#giveUp(failure);
        return;
      }
      this.#pollFailures += 1;
      this.#update({ connection: 'offline', error: failure });
    }
    const delay = Math.max(
      this.#options.pollIntervalMs,
      this.#pollFailures === 0 ? 0 : this.#backoff(this.#pollFailures),
    );
    this.#pollTimer = this.#options.clock.setTimeout(() => void this.#poll(), delay);
  }

  /** The one job, or the scope's first page and counts: what a stream's snapshot holds. */
  async #fetchJobs(): Promise<Partial<JobsPageDTO> & { items: readonly JobDTO[] }> {
    if (this.#target.id !== null) {
      try {
        const job = await this.#getJson<JobDTO>(this.#urls.job(this.#target.id));
        return { items: isJob(job) ? [job] : [] };
      } catch (error) {
        // The job may not exist yet (or any more): that is an answer, not a failure.
        if (error instanceof ProgressHttpError && error.status === 404) return { items: [] };
        throw error;
      }
    }
    const page = await this.#getJson<JobsPageDTO>(this.#urls.jobs(null));
    return { ...page, items: page.items.filter(isJob) };
  }

  async #getJson<T>(url: string): Promise<T> {
    const fetch = this.#options.fetch;
    if (fetch === null) throw new Error('No fetch to poll with');
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    if (!response.ok) throw await httpError(response);
    return (await response.json()) as T;
  }

  #giveUp(error: Error): void {
    this.#halt();
    this.#update({ connection: 'offline', error });
  }

  #halt(): void {
    this.#stopped = true;
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.#closeStream();
    this.#stopPolling();
    this.#clearStreamTimer();
  }

  #backoff(failures: number): number {
    const { reconnectDelayMs, maxReconnectDelayMs } = this.#options;
    return Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** Math.max(0, failures - 1));
  }

  #concerns(job: JobDTO): boolean {
    return this.#target.id === null || job.id === this.#target.id;
  }

  #jobsState(): Pick<ProgressState, 'jobs' | 'job' | 'counts' | 'total'> {
    return {
      jobs: this.#jobs.list(),
      job: this.#target.id === null ? null : this.#jobs.get(this.#target.id),
      counts: this.#counts.counts,
      total: this.#counts.total,
    };
  }

  #update(patch: Partial<ProgressState>): void {
    const next = { ...this.#state, ...patch };
    const previous = this.#state;
    if (
      next.jobs === previous.jobs &&
      next.job === previous.job &&
      next.connection === previous.connection &&
      next.error === previous.error &&
      next.loaded === previous.loaded &&
      next.counts === previous.counts &&
      next.total === previous.total
    ) {
      return;
    }
    this.#state = next;
    for (const listener of this.#listeners) listener(next);
  }
}

function isJob(value: unknown): value is JobDTO {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
  );
}

async function httpError(response: Response): Promise<ProgressHttpError> {
  let body: Partial<ErrorDTO> | null = null;
  try {
    body = (await response.json()) as Partial<ErrorDTO>;
  } catch {
    // Not JSON (a proxy's error page): the status is all we know.
  }
  const code = typeof body?.error?.code === 'string' ? body.error.code : `http_${response.status}`;
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : `HTTP ${response.status} ${response.statusText}`.trim();
  return new ProgressHttpError(response.status, code, message);
}
