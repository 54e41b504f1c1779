/**
 * Every Redis key of a RedisStore, built in one place.
 *
 * - `<prefix>:<scope key>`  hash, one per scope; field = record id, value = record JSON.
 *                           The Ruby gem's layout, unchanged.
 * - `<prefix>::scopes`      sorted set; member = scope key, score = last activity (ms).
 * - `<prefix>::names`       sorted set, all scores 0; member = scope key; serves prefix filters.
 * - `<prefix>::expiries`    sorted set; member = JSON [scope key, id], score = expires_at (ms).
 * - `<prefix>::changes`     pub/sub channel; message = JSON { scope, id } after each write.
 *
 * Scope parts are never empty, so no scope key can start with ':' and the `::` keys can never
 * collide with a scope's hash.
 */
export interface RedisKeys {
  scope(scopeKey: string): string;
  readonly scopes: string;
  readonly names: string;
  readonly expiries: string;
  readonly changes: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    scope: (scopeKey) => `${prefix}:${scopeKey}`,
    scopes: `${prefix}::scopes`,
    names: `${prefix}::names`,
    expiries: `${prefix}::expiries`,
    changes: `${prefix}::changes`,
  };
}
