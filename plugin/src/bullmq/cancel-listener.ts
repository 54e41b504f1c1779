import type { Cluster, Redis } from 'ioredis';
import { asError } from '../core/errors.js';
import {
  type CommandClient,
  parseCancelRequest,
  pendingCancelRequests,
} from './cancel-requests.js';

/** What a `CancelListener` needs of its worker: a small interface, so it is tested without one. */
export interface CancelListenerContext {
  /** Opens the listener's own connection (a subscribed connection can run no other command). */
  open(): Redis | Cluster;
  /** A connection that runs commands (the worker's): sweeps read the request set through it. */
  client(): Promise<CommandClient>;
  /** BullMQ ids of the jobs running here now. */
  heldJobIds(): readonly string[];
  /** Applies a request to the job, if it runs here; must be idempotent (a request may come again). */
  apply(jobId: string, atMs: number): void;
  onError(error: Error): void;
}

export interface CancelListenerOptions {
  /** The queue's cancel channel (`cancelChannel`). */
  readonly channel: string;
  /** The queue's request set (`cancelRequestsKey`). */
  readonly requestsKey: string;
  /** Time between two sweeps of the request set. */
  readonly sweepMs: number;
}

/**
 * Hands a worker the cancel requests for the jobs it runs. A request is published on the
 * queue's channel, which this listener subscribes to on a connection of its own, and is kept
 * in the queue's request set (`sendCancelRequest`), for the times the subscription missed it:
 *
 * - while the connection was down (a network blip, a Redis restart): ioredis subscribes again
 *   by itself; once Redis confirms the subscription the listener sweeps the set for the jobs
 *   running here, so nothing published before that point is lost, and pub/sub covers the rest;
 * - a job that stalled (its worker died) and runs again on another worker, after its request
 *   was published: the new worker's periodic sweep finds it.
 *
 * A sweep is one `ZMSCORE` of the ids of the jobs running here (none when there are none), every
 * `sweepMs`; it finds a request as long as the set keeps it, whatever its age.
 */
export class CancelListener {
  /** Resolves once Redis confirmed the subscription: a request published after that is heard. */
  readonly ready: Promise<void>;
  readonly #context: CancelListenerContext;
  readonly #options: CancelListenerOptions;
  readonly #connection: Redis | Cluster;
  readonly #timer: NodeJS.Timeout;
  #subscribed = false;
  #sweeping: Promise<void> | null = null;
  #closed: Promise<void> | null = null;

  constructor(context: CancelListenerContext, options: CancelListenerOptions) {
    this.#context = context;
    this.#options = options;
    this.#connection = context.open();
    this.#connection.on('error', context.onError);
    this.#connection.on('message', (received: string, message: string) => {
      if (received !== options.channel) return;
      const request = parseCancelRequest(message);
      if (request) context.apply(request.jobId, request.atMs);
    });
    this.#connection.on('ready', this.#onReady);
    this.ready = this.#subscribe().then(() => {
      this.#subscribed = true;
    });
    this.#timer = setInterval(() => void this.sweep(), options.sweepMs);
    this.#timer.unref?.();
  }

  /**
   * Applies the pending requests of the jobs running here; resolves when done (a sweep already
   * under way is joined, not repeated). Never rejects: failures go to `onError`.
   */
  sweep(): Promise<void> {
    if (this.#closed !== null) return Promise.resolve();
    this.#sweeping ??= this.#sweepOnce().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  /** Stops sweeping, unsubscribes and closes the connection. Idempotent. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closed ??= this.#connection.quit().then(
      () => undefined,
      () => this.#connection.disconnect(),
    );
    return this.#closed;
  }

  async #sweepOnce(): Promise<void> {
    const jobIds = this.#context.heldJobIds();
    if (jobIds.length === 0) return;
    try {
      const client = await this.#context.client();
      const pending = await pendingCancelRequests(client, this.#options.requestsKey, jobIds);
      for (const [jobId, atMs] of pending) this.#context.apply(jobId, atMs);
    } catch (error) {
      if (this.#closed === null) this.#context.onError(asError(error));
    }
  }

  /** Resolves once Redis confirmed the subscription; failures go to `onError`. */
  #subscribe(): Promise<void> {
    return this.#connection.subscribe(this.#options.channel).then(
      () => undefined,
      (error: unknown) => {
        if (this.#closed === null) this.#context.onError(asError(error));
      },
    );
  }

  /**
   * The connection is back after a drop (the first 'ready' is the first connection, whose
   * subscription the constructor asked for). ioredis has sent its own SUBSCRIBE again; this one,
   * sent after it, resolves once the subscription is in place again, and the sweep then picks up
   * whatever was published in between.
   */
  readonly #onReady = (): void => {
    if (!this.#subscribed || this.#closed !== null) return;
    // After any sweep under way: that one may have read the set before the request landed.
    void this.#subscribe()
      .then(() => this.#sweeping)
      .then(() => this.sweep());
  };
}
