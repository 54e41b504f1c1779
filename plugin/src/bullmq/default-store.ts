import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { expected } from '../core/errors.js';
import { RedisStore } from '../stores/redis/redis-store.js';

type Connection = Redis | Cluster;

/**
 * The store of a `ProgressWorker` that was given none: a `RedisStore` on a connection of its
 * own to the worker's Redis — `duplicate()` of the ioredis client passed as `connection`, or a
 * new ioredis client from the connection options. Its own connection, so that progress writes
 * never queue behind BullMQ's blocking commands. Opened at the first job, closed by `close()`.
 */
export class DefaultStore {
  readonly #open: () => Connection;
  #connection: Connection | null = null;
  #store: RedisStore | null = null;

  /** Throws at once, at the worker's construction, when `connection` is not ioredis. */
  constructor(connection: unknown) {
    this.#open = opener(connection);
  }

  get(): RedisStore {
    if (this.#store === null) {
      this.#connection = this.#open();
      // Its failures reach `progress.onError` as failed writes (retried by the Progresser); its
      // 'error' events would only repeat them, and unheard they print "[ioredis] Unhandled error
      // event" on every reconnect attempt while Redis is down.
      this.#connection.on('error', () => {});
      this.#store = new RedisStore({ connection: this.#connection });
    }
    return this.#store;
  }

  /** Closes the connection, if one was opened; writes must be flushed before. Idempotent. */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    this.#store = null;
    if (connection === null) return;
    try {
      await connection.quit();
    } catch {
      connection.disconnect();
    }
  }
}

/**
 * How to open a new connection to the Redis of `connection` (an ioredis client or its options),
 * with `overrides` (e.g. a `connectionName`, which ioredis sets again on every reconnect; not
 * for a Cluster client).
 */
export function opener(connection: unknown, overrides: RedisOptions = {}): () => Connection {
  if (isIoredis(connection)) {
    // A Cluster's `duplicate` takes other arguments (startup nodes first): it gets none.
    if ((connection as { isCluster?: boolean }).isCluster)
      return () => (connection as Cluster).duplicate();
    return () => (connection as Redis).duplicate(overrides);
  }
  if (connection !== null && typeof connection === 'object' && !('duplicate' in connection)) {
    const { url, ...given } = connection as RedisOptions & { url?: string };
    const options = { ...given, ...overrides };
    return typeof url === 'string' ? () => new Redis(url, options) : () => new Redis(options);
  }
  throw expected(
    'progress.store',
    'a Store when `connection` is neither an ioredis client nor ioredis options',
    undefined,
  );
}

/** Duck-typed: the user's ioredis may be another copy than ours. */
function isIoredis(value: unknown): value is Connection {
  const client = value as Partial<
    Record<'duplicate' | 'hset' | 'zrevrangebyscore', unknown>
  > | null;
  return (
    client !== null &&
    typeof client === 'object' &&
    typeof client.duplicate === 'function' &&
    typeof client.hset === 'function' &&
    typeof client.zrevrangebyscore === 'function'
  );
}
