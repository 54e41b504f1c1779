import type { JobDTO, JobsPageDTO } from 'progressrus/core';
import type { Connection } from './progress-state.js';

/**
 * One way of getting a target's jobs from the HTTP API: the event stream or polling. The
 * subscription runs one or both and decides which; a transport only fetches and reports.
 */
export interface ProgressTransport {
  /** Starts fetching; does nothing while already running. */
  start(): void;
  /** Stops fetching and every timer; `start()` begins again. */
  stop(): void;
  /** Back online (a laptop waking up): try now rather than at the end of a backoff wait. */
  retryNow(): void;
}

/**
 * What arrived: the jobs (`snapshot`: the one job, or a scope's first page, with the scope's
 * counts in `page`), one new state of a job, or a job that is gone.
 */
export type JobsUpdate =
  | {
      readonly type: 'snapshot';
      readonly jobs: readonly JobDTO[];
      readonly page: Partial<JobsPageDTO>;
    }
  | { readonly type: 'job'; readonly job: JobDTO }
  | { readonly type: 'removed'; readonly id: string };

/** New data and/or a new connection state, applied to the subscription's state as one change. */
export interface TransportReport {
  readonly jobs?: JobsUpdate;
  readonly connection?: Connection;
  readonly error?: Error | null;
}

/** Where a transport reports to: its subscription. */
export interface TransportSink {
  report(report: TransportReport): void;
  /** The stream keeps failing, or the server refused it: polling takes over until it is back. */
  fallBack(): void;
  /** A refusal that asking again cannot fix (400, 401, 403): everything stops. */
  giveUp(error: Error): void;
}

/** What both transports need of the options. */
export interface BackoffOptions {
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
}

/** Exponential backoff: `reconnectDelayMs` after the first failure, doubling up to the maximum. */
export function backoffMs(options: BackoffOptions, failures: number): number {
  const { reconnectDelayMs, maxReconnectDelayMs } = options;
  return Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** Math.max(0, failures - 1));
}

/** Enough of a JobDTO to key it: the server is trusted for the rest. */
export function isJob(value: unknown): value is JobDTO {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
  );
}
