import type { Cluster, Redis } from 'ioredis';
import { type RedisKeys, type ScopeKeys } from './redis-keys.js';

/** What the parts of a RedisStore share: the connection, its keys and how it publishes. */
export interface RedisContext {
  readonly redis: Redis | Cluster;
  readonly keys: RedisKeys;
  /** `<prefix>::changes`, or null when the store does not publish. */
  readonly channel: string | null;
  readonly now: () => number;
  readonly onMalformed: (error: Error) => void;
  /** Bounds one command of a read by the store's `readTimeoutMs` (a StoreError past it). */
  bounded<T>(operation: string, command: Promise<T>): Promise<T>;
  /** The keys of a scope, built once per scope while it is in use. */
  scope(scopeKey: string): ScopeKeys;
}

const CACHED_SCOPES = 1000;

/** Builds a context whose `scope()` keeps the keys of the last 1,000 scopes (46 strings each). */
export function redisContext(options: Omit<RedisContext, 'scope'>): RedisContext {
  let cache = new Map<string, ScopeKeys>();
  return {
    ...options,
    scope(scopeKey) {
      let keys = cache.get(scopeKey);
      if (keys === undefined) {
        if (cache.size >= CACHED_SCOPES) cache = new Map();
        keys = options.keys.of(scopeKey);
        cache.set(scopeKey, keys);
      }
      return keys;
    },
  };
}
