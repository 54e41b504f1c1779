import type { Cluster, Redis } from 'ioredis';
import { cancelChannel, cancelRequestsKey } from '../stores/redis/redis-keys.js';

/** A request to cancel one job, as published on its queue's cancel channel. */
export interface CancelRequest {
  /** BullMQ's job id. */
  readonly jobId: string;
  /** The record id, `<queueName>:<jobId>`. */
  readonly id: string;
  /** When the cancel was asked for, ms since the epoch. */
  readonly atMs: number;
}

/** How long a request is kept for a worker that missed it: longer than any outage worth riding out. */
export const CANCEL_REQUEST_KEEP_MS = 24 * 60 * 60 * 1000;

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
 * Asks the workers of `queueName` to cancel a running job: keeps the request in the queue's
 * request set (for a worker that does not hear it now: see `CancelListener`), trims requests
 * older than CANCEL_REQUEST_KEEP_MS, and publishes it, in one transaction. Resolves to the
 * number of subscribers that heard it.
 */
export async function sendCancelRequest(
  connection: Redis | Cluster,
  queuePrefix: string,
  queueName: string,
  request: CancelRequest,
): Promise<number> {
  const key = cancelRequestsKey(queuePrefix, queueName);
  const replies = await connection
    .multi()
    // A later request for the same id replaces an earlier one: its time is what a worker
    // compares with the job's (see JobProgressRunner#requestCancel).
    .zadd(key, request.atMs, request.jobId)
    .zremrangebyscore(key, '-inf', `(${request.atMs - CANCEL_REQUEST_KEEP_MS}`)
    .pexpire(key, CANCEL_REQUEST_KEEP_MS)
    .publish(cancelChannel(queuePrefix, queueName), encodeCancelRequest(request))
    .exec();
  const [error, listeners] = replies?.at(-1) ?? [new Error('The cancel request was not sent')];
  if (error) throw error;
  return Number(listeners);
}

/**
 * Forgets the request for a job that is about to run again (a retry keeps BullMQ's job id and
 * its creation time), so that no worker cancels the new run for the old request.
 */
export async function withdrawCancelRequest(
  connection: Redis | Cluster,
  queuePrefix: string,
  queueName: string,
  jobId: string,
): Promise<void> {
  await connection.zrem(cancelRequestsKey(queuePrefix, queueName), jobId);
}

/**
 * The pending requests among `jobIds`, as `[jobId, atMs]`: one `ZMSCORE`, so a worker's sweep
 * costs one command however many requests the queue keeps.
 */
export async function pendingCancelRequests(
  client: CommandClient,
  key: string,
  jobIds: readonly string[],
): Promise<[jobId: string, atMs: number][]> {
  if (jobIds.length === 0) return [];
  const scores = (await client.runCommand('zmscore', [key, ...jobIds])) as (string | null)[];
  const pending: [string, number][] = [];
  scores.forEach((score, index) => {
    if (score !== null) pending.push([jobIds[index] as string, Number(score)]);
  });
  return pending;
}

/** What a sweep needs of BullMQ's client (`worker.getBackend().client`): any command by name. */
export interface CommandClient {
  runCommand(name: string, args: unknown[]): Promise<unknown>;
}
