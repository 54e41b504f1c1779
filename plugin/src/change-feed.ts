/** One write to a store: the record `id` of the scope `scope` (its key, e.g. `'user:3421'`) changed or went away. */
export interface Change {
  readonly scope: string;
  readonly id: string;
}

/**
 * Where live viewers learn that records changed, without polling the store. The store (or
 * whoever writes) publishes; `subscribe` delivers. Implementations: `RedisChangeFeed`
 * (Redis pub/sub on `<prefix>::changes`, what `RedisStore` publishes) and `LocalChangeFeed`
 * (in this process, for a `MemoryStore`).
 */
export interface ChangeFeed {
  /**
   * Calls `listener` for every change until the returned function is called. Resolves once
   * changes are flowing, so a reader that subscribes first and reads second misses nothing.
   * `onGap` is called when changes may have been lost (the subscriber connection dropped and
   * came back): whoever holds state built from changes should read it again.
   */
  subscribe(listener: (change: Change) => void, onGap?: () => void): Promise<() => void>;
  /** Releases what the feed owns (a subscriber connection). Idempotent. */
  close(): Promise<void>;
}

/** Parses a published change; `null` when the message is not one (another program shares the channel). */
export function parseChange(message: string): Change | null {
  try {
    const value: unknown = JSON.parse(message);
    if (value === null || typeof value !== 'object') return null;
    const { scope, id } = value as Record<string, unknown>;
    if (
      typeof scope !== 'string' ||
      scope.length === 0 ||
      typeof id !== 'string' ||
      id.length === 0
    )
      return null;
    return { scope, id };
  } catch {
    return null;
  }
}
