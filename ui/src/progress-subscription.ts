import type { JobDTO } from 'progressrus/core';
import { JobSet } from './job-set.js';
import { LiveCounts } from './live-counts.js';
import type { ResolvedProgressOptions } from './progress-options.js';
import type { ProgressState } from './progress-state.js';
import type { ResolvedTarget } from './progress-target.js';
import { ProgressUrls } from './progress-urls.js';
import { PollTransport } from './poll-transport.js';
import { StreamTransport } from './stream-transport.js';
import type { TransportReport, TransportSink } from './transport.js';

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
  readonly #stream: StreamTransport | null;
  readonly #poll: PollTransport;
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
    const sink: TransportSink = {
      report: (report) => this.#apply(report),
      fallBack: () => this.#poll.start(),
      giveUp: (error) => {
        this.#halt();
        this.#update({ connection: 'offline', error });
      },
    };
    const { EventSource } = options;
    this.#stream = EventSource
      ? new StreamTransport(
          { ...options, EventSource, baseUrl: options.url, url: (id) => this.#urls.events(id) },
          sink,
        )
      : null;
    this.#poll = new PollTransport({ ...options, id: target.id, urls: () => this.#urls }, sink);
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
    if (this.#stopped || this.#stream?.isActive || this.#poll.isActive) return;
    globalThis.addEventListener?.('online', this.#onOnline);
    if (this.#stream) this.#stream.start();
    else this.#poll.start();
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
    } else if (this.#stream?.isActive) {
      this.#stream.reopen();
    }
  }

  readonly #onOnline = (): void => {
    if (this.#stopped || this.#stream?.isOpen) return;
    this.#stream?.retryNow();
    this.#poll.retryNow();
  };

  #apply(report: TransportReport): void {
    if (this.#stopped) return;
    // A live stream makes polling pointless; while polling, the stream's reconnects are not news.
    if (report.connection === 'live') this.#poll.stop();
    if (report.connection === 'connecting' && this.#poll.isActive) return;
    const { jobs: update, ...patch } = report;
    if (update === undefined) {
      this.#update(patch);
      return;
    }
    if (update.type === 'snapshot') {
      this.#jobs.replaceAll(update.jobs.filter((job) => this.#concerns(job)));
      this.#counts.reset(update.page);
    } else if (update.type === 'job') {
      if (!this.#concerns(update.job)) return;
      this.#counts.put(this.#jobs.get(update.job.id), update.job);
      this.#jobs.put(update.job);
    } else {
      const previous = this.#jobs.get(update.id);
      if (previous !== null) this.#counts.remove(previous);
      this.#jobs.remove(update.id);
    }
    this.#update({ ...patch, ...this.#jobsState(), loaded: true });
  }

  #halt(): void {
    this.#stopped = true;
    globalThis.removeEventListener?.('online', this.#onOnline);
    this.#stream?.stop();
    this.#poll.stop();
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
