import { durationKey } from '../../core/durations.js';
import { expected } from '../../core/errors.js';

/**
 * Every Redis key of a RedisStore, built in one place.
 *
 * - `<prefix>:<scope key>`     hash, one per scope; field = record id, value = record JSON.
 *                              The Ruby gem's layout, unchanged.
 * - `{<prefix>}::scopes`       sorted set; member = scope key, score = last activity (ms).
 * - `{<prefix>}::names`        sorted set, all scores 0; member = scope key; serves prefix filters.
 * - `{<prefix>}::expiries`     sorted set; member = JSON [scope key, id], score = expires_at (ms).
 * - `<prefix>::changes`        pub/sub channel; one message per write batch: a JSON array of { scope, id }.
 * - `{<prefix>}::durations:<JSON [queue, name]>`  sorted set of the last completions of a job
 *                              name; member = "ms<TAB>items<TAB>id", score = completed_at (ms).
 *                              Expires with the newest completed record.
 *
 * The index keys share the hash tag `{<prefix>}`, so on a Redis Cluster they live in one hash
 * slot and a batch's index updates run as one MULTI. The scope hashes cannot share it (the
 * Ruby gem reads them by their plain name), so they spread over the cluster.
 *
 * Scope parts are never empty, so no scope key can start with ':' and no scope's hash can be
 * an index key or the channel.
 */
export interface RedisKeys {
  scope(scopeKey: string): string;
  readonly scopes: string;
  readonly names: string;
  readonly expiries: string;
  readonly changes: string;
  /** The completions of one job name and queue (see `core/durations.ts`). */
  durations(name: string, queue: string | null): string;
}

export function redisKeys(prefix: string): RedisKeys {
  // `{}x}` would be an empty hash tag, which Redis ignores: the index keys would scatter.
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.startsWith('}')) {
    throw expected('prefix', "a non-empty string not starting with '}'", prefix);
  }
  const tag = `{${prefix}}`;
  return {
    scope: (scopeKey) => `${prefix}:${scopeKey}`,
    scopes: `${tag}::scopes`,
    names: `${tag}::names`,
    expiries: `${tag}::expiries`,
    changes: `${prefix}::changes`,
    durations: (name, queue) => `${tag}::durations:${durationKey(name, queue)}`,
  };
}

/**
 * The pub/sub channel on which cancel requests for the jobs of one BullMQ queue go to the
 * `ProgressWorker`s of that queue: `<bullmq prefix>:<queue name>:progressrus:cancels`. Named
 * after the queue's own keys, so a worker subscribes only to its queue's requests. Each message
 * is a JSON `{ jobId, id, at }` (at: ms since the epoch).
 */
export function cancelChannel(queuePrefix: string, queueName: string): string {
  return `${queuePrefix}:${queueName}:progressrus:cancels`;
}

/**
 * What Redis Cluster hashes to pick a key's slot: the text between the first `{` and the
 * next `}` when that is non-empty, else the whole key. Keys with equal hash parts share a slot.
 */
export function hashPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
