import type { ProgressClock } from './clock.js';
import { systemClock } from './clock.js';
import { checkInteger, checkNonEmptyString, checkObject, checkPositive, expected } from 'progressrus/core';

/** The part of the browser's `EventSource` that the subscription uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** A constructor like the browser's `EventSource`. */
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** A function like the global `fetch`, for polling. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface ProgressOptions {
  /**
   * Where the `progressrus/http` handler is mounted, absolute or relative to the page.
   * @example '/api/progress'
   */
  readonly url: string;
  /** A scope-bound token from `createProgressToken`, sent as `?token=` (EventSource cannot set headers). */
  readonly token?: string | null;
  /** Milliseconds between two polls when Server-Sent Events are unavailable. @default 2000 */
  readonly pollIntervalMs?: number;
  /** First delay before a reconnect; doubles per failure. @default 1000 */
  readonly reconnectDelayMs?: number;
  /** Longest delay between two reconnects. @default 30000 */
  readonly maxReconnectDelayMs?: number;
  /** Failed event-stream attempts in a row before polling takes over until the stream is back. @default 3 */
  readonly failuresBeforePolling?: number;
  /**
   * The EventSource class; `null` never uses Server-Sent Events and only polls.
   * @default globalThis.EventSource
   */
  readonly EventSource?: EventSourceConstructor | null;
  /** Used to poll. @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Timers and time. @default the system clock */
  readonly clock?: ProgressClock;
}

export interface ResolvedProgressOptions {
  readonly url: string;
  readonly token: string | null;
  readonly pollIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly failuresBeforePolling: number;
  readonly EventSource: EventSourceConstructor | null;
  readonly fetch: FetchLike | null;
  readonly clock: ProgressClock;
}

/** Applies the defaults once and validates everything. */
export function resolveProgressOptions(options: ProgressOptions): ResolvedProgressOptions {
  checkObject('options', options);
  if (typeof options.url !== 'string') throw expected('url', 'a string', options.url);
  const token = options.token ?? null;
  if (token !== null) checkNonEmptyString('token', token);
  const globalEventSource = (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  const globalFetch =
    typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : null;
  return {
    url: options.url,
    token,
    pollIntervalMs: checkPositive('pollIntervalMs', options.pollIntervalMs ?? 2000),
    reconnectDelayMs: checkPositive('reconnectDelayMs', options.reconnectDelayMs ?? 1000),
    maxReconnectDelayMs: checkPositive('maxReconnectDelayMs', options.maxReconnectDelayMs ?? 30_000),
    failuresBeforePolling: checkInteger('failuresBeforePolling', options.failuresBeforePolling ?? 3),
    EventSource:
      options.EventSource === undefined ? (globalEventSource ?? null) : options.EventSource,
    fetch: options.fetch ?? globalFetch,
    clock: options.clock ?? systemClock,
  };
}
