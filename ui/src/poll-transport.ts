import type { ErrorDTO, JobDTO, JobsPageDTO } from 'progressrus/core';
import type { ProgressClock } from './clock.js';
import { ProgressHttpError } from './errors.js';
import type { FetchLike } from './progress-options.js';
import type { ProgressUrls } from './progress-urls.js';
import {
  type BackoffOptions,
  backoffMs,
  isJob,
  type ProgressTransport,
  type TransportSink,
} from './transport.js';

export interface PollTransportOptions extends BackoffOptions {
  readonly fetch: FetchLike | null;
  /** The API's URLs with the current token. */
  readonly urls: () => ProgressUrls;
  /** The job asked for, or null for a whole scope. */
  readonly id: string | null;
  readonly pollIntervalMs: number;
  readonly clock: ProgressClock;
}

/**
 * Polls `/jobs` (the first page and the scope's counts, as a stream's snapshot) or `/job` every `pollIntervalMs`, backing off after failures; a
 * refusal that asking again cannot fix (400, 401, 403) gives up.
 */
export class PollTransport implements ProgressTransport {
  readonly #options: PollTransportOptions;
  readonly #sink: TransportSink;
  #active = false;
  #timer: unknown = null;
  #failures = 0;
  /** Bumped when polling stops, so that the answer of a poll already in flight is dropped. */
  #generation = 0;

  constructor(options: PollTransportOptions, sink: TransportSink) {
    this.#options = options;
    this.#sink = sink;
  }

  get isActive(): boolean {
    return this.#active;
  }

  start(): void {
    if (this.#active) return;
    if (this.#options.fetch === null) {
      this.#sink.report({ connection: 'offline' });
      return;
    }
    this.#active = true;
    void this.#poll();
  }

  stop(): void {
    this.#active = false;
    this.#generation += 1;
    if (this.#timer !== null) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  retryNow(): void {
    if (!this.#active || this.#timer === null) return;
    this.#options.clock.clearTimeout(this.#timer);
    void this.#poll();
  }

  async #poll(): Promise<void> {
    this.#timer = null;
    const generation = this.#generation;
    const current = () => this.#active && generation === this.#generation;
    try {
      const page = await this.#fetchJobs();
      if (!current()) return;
      this.#failures = 0;
      this.#sink.report({
        jobs: { type: 'snapshot', jobs: page.items, page },
        connection: 'polling',
        error: null,
      });
    } catch (error) {
      if (!current()) return;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure instanceof ProgressHttpError && !failure.retryable) {
        this.#sink.giveUp(failure);
        return;
      }
      this.#failures += 1;
      this.#sink.report({ connection: 'offline', error: failure });
    }
    const delay = Math.max(
      this.#options.pollIntervalMs,
      this.#failures === 0 ? 0 : backoffMs(this.#options, this.#failures),
    );
    this.#timer = this.#options.clock.setTimeout(() => void this.#poll(), delay);
  }

  /** The one job, or the scope's first page and counts: what a stream's snapshot holds. */
  async #fetchJobs(): Promise<Partial<JobsPageDTO> & { items: readonly JobDTO[] }> {
    if (this.#options.id !== null) {
      try {
        const job = await this.#getJson<JobDTO>(this.#options.urls().job(this.#options.id));
        return { items: isJob(job) ? [job] : [] };
      } catch (error) {
        // The job may not exist yet (or any more): that is an answer, not a failure.
        if (error instanceof ProgressHttpError && error.status === 404) return { items: [] };
        throw error;
      }
    }
    const page = await this.#getJson<JobsPageDTO>(this.#options.urls().jobs(null));
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
