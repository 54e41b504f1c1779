import type { Cluster, Redis } from 'ioredis';
import { type Change, type ChangeFeed, parseChanges } from '../change-feed.js';
import { expected, ProgressrusError } from '../../core/errors.js';
import { redisKeys } from './redis-keys.js';

export interface RedisChangeFeedOptions {
  /**
   * An ioredis `Redis` or `Cluster`. The feed never subscribes on it (a subscribed connection
   * can run no other command): it opens one `duplicate()` for SUBSCRIBE and closes it in `close()`.
   */
  readonly connection: Redis | Cluster;
  /** The `prefix` of the `RedisStore` that publishes. @default 'progressrus' */
  readonly prefix?: string;
  /** Subscriber connection errors (ioredis reconnects by itself). @default console.warn */
  readonly onError?: (error: Error) => void;
}

/**
 * The changes a `RedisStore` publishes on `<prefix>::changes`, through ONE subscriber
 * connection however many listeners there are. The connection opens on the first
 * `subscribe()`, so a handler that never streams never opens it.
 *
 * @example
 * const feed = new RedisChangeFeed({ connection: redis });
 * const unsubscribe = await feed.subscribe(({ scope, id }) => console.log(scope, id));
 */
export class RedisChangeFeed implements ChangeFeed {
  readonly channel: string;
  readonly #connection: Redis | Cluster;
  readonly #onError: (error: Error) => void;
  readonly #listeners = new Set<(change: Change) => void>();
  readonly #gapListeners = new Set<() => void>();
  #subscriber: Redis | Cluster | null = null;
  #ready: Promise<void> | null = null;
  #closed = false;

  constructor(options: RedisChangeFeedOptions) {
    const { connection, prefix = 'progressrus' } = options;
    if (
      connection === null ||
      typeof connection !== 'object' ||
      typeof connection.duplicate !== 'function'
    ) {
      throw expected('connection', 'an ioredis Redis or Cluster', connection);
    }
    if (typeof prefix !== 'string' || prefix.length === 0)
      throw expected('prefix', 'a non-empty string', prefix);
    this.#connection = connection;
    this.channel = redisKeys(prefix).changes;
    this.#onError =
      options.onError ?? ((error) => console.warn(`[progressrus] change feed: ${error.message}`));
  }

  async subscribe(listener: (change: Change) => void, onGap?: () => void): Promise<() => void> {
    if (this.#closed) throw new ProgressrusError('RedisChangeFeed is closed');
    this.#listeners.add(listener);
    if (onGap) this.#gapListeners.add(onGap);
    const unsubscribe = () => {
      this.#listeners.delete(listener);
      if (onGap) this.#gapListeners.delete(onGap);
    };
    try {
      await (this.#ready ??= this.#open());
    } catch (error) {
      unsubscribe();
      this.#ready = null;
      throw error;
    }
    return unsubscribe;
  }

  async #open(): Promise<void> {
    const connection = this.#connection;
    const subscriber = connection.isCluster
      ? (connection as Cluster).duplicate()
      : (connection as Redis).duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.#onError(error));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      for (const change of parseChanges(message)) {
        for (const listener of this.#listeners) {
          try {
            listener(change);
          } catch (error) {
            this.#onError(error as Error);
          }
        }
      }
    });
    await subscriber.subscribe(this.channel);
    // ioredis reconnects and resubscribes by itself, but what was published meanwhile is gone.
    subscriber.on('ready', () => {
      for (const onGap of this.#gapListeners) onGap();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#gapListeners.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
