import type { Cluster, Redis } from 'ioredis';

/** A request to cancel one job, as published on its queue's cancel channel. */
export interface CancelRequest {
  /** BullMQ's job id. */
  readonly jobId: string;
  /** The record id, `<queueName>:<jobId>`. */
  readonly id: string;
  /** When the cancel was asked for, ms since the epoch. */
  readonly atMs: number;
}

/** Encodes a request for `PUBLISH`; `parseCancelRequest` reads it back. */
export function encodeCancelRequest(request: CancelRequest): string {
  return JSON.stringify({ jobId: request.jobId, id: request.id, at: request.atMs });
}

export function parseCancelRequest(message: string): CancelRequest | null {
  try {
    const { jobId, id, at } = JSON.parse(message) as Record<string, unknown>;
    if (typeof jobId !== 'string' || typeof id !== 'string' || typeof at !== 'number') return null;
    return { jobId, id, atMs: at };
  } catch {
    return null;
  }
}

/**
 * Listens for cancel requests on one channel, on a connection of its own (a subscribed
 * connection can run no other command). Subscribes at construction; `ready` resolves once
 * Redis confirmed it, so a request published after that reaches this listener. ioredis
 * re-subscribes by itself after a reconnect; a request published while disconnected is lost
 * (the admin shows the job still running, and the operator can cancel again).
 */
export class CancelListener {
  readonly ready: Promise<void>;
  readonly #connection: Redis | Cluster;
  #closed: Promise<void> | null = null;

  constructor(
    open: () => Redis | Cluster,
    channel: string,
    onRequest: (request: CancelRequest) => void,
    onError: (error: Error) => void,
  ) {
    this.#connection = open();
    this.#connection.on('error', onError);
    this.#connection.on('message', (received: string, message: string) => {
      if (received !== channel) return;
      const request = parseCancelRequest(message);
      if (request) onRequest(request);
    });
    this.ready = this.#connection.subscribe(channel).then(
      () => undefined,
      (error: unknown) => onError(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Unsubscribes and closes the connection. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#connection.quit().then(
      () => undefined,
      () => this.#connection.disconnect(),
    );
    return this.#closed;
  }
}
