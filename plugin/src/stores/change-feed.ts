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

/**
 * Parses a published message: one change `{ scope, id }`, or an array of them (a store
 * publishes one message per write batch). Entries that are not changes are left out: another
 * program may share the channel.
 */
export function parseChanges(message: string): Change[] {
  try {
    const value: unknown = JSON.parse(message);
    const entries = Array.isArray(value) ? value : [value];
    return entries.filter(isChange).map(({ scope, id }) => ({ scope, id }));
  } catch {
    return [];
  }
}

function isChange(value: unknown): value is Change {
  if (value === null || typeof value !== 'object') return false;
  const { scope, id } = value as Record<string, unknown>;
  return typeof scope === 'string' && scope.length > 0 && typeof id === 'string' && id.length > 0;
}
