import { expected } from '../core/errors.js';
import type { StatusCounts } from '../core/record.js';
import type { ScopeEntry } from '../core/scope.js';
import { countsTotal } from './job-query.js';
import type { ScopesPage, ScopesQuery } from './store.js';
import { parseScopeKey } from '../core/scope.js';

export const DEFAULT_SCOPES_LIMIT = 50;
export const MAX_SCOPES_LIMIT = 1000;

/** Where the previous page ended: scopes sort by activity, then key, both descending. */
export interface ScopeCursor {
  readonly activityMs: number;
  readonly key: string;
}

export interface NormalizedScopesQuery {
  readonly prefix: string;
  readonly after: ScopeCursor | null;
  readonly limit: number;
}

/** Validates a `scopes()` query once, with the library's one message format. */
export function normalizeScopesQuery(query: ScopesQuery = {}): NormalizedScopesQuery {
  if (query === null || typeof query !== 'object') throw expected('query', 'an object', query);
  const { prefix = '', cursor = null, limit = DEFAULT_SCOPES_LIMIT } = query;
  if (typeof prefix !== 'string') throw expected('prefix', 'a string', prefix);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SCOPES_LIMIT) {
    throw expected('limit', `an integer from 1 to ${MAX_SCOPES_LIMIT}`, limit);
  }
  return { prefix, after: cursor === null ? null : decodeCursor(cursor), limit };
}

export function encodeCursor(cursor: ScopeCursor): string {
  return Buffer.from(JSON.stringify([cursor.activityMs, cursor.key])).toString('base64url');
}

export function decodeCursor(cursor: unknown): ScopeCursor {
  if (typeof cursor === 'string') {
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
        return { activityMs: value[0], key: value[1] };
      }
    } catch {
      // Falls through to the one error below.
    }
  }
  throw expected('cursor', 'a cursor returned by a previous page', cursor);
}

/** True when an entry comes after the cursor in listing order. */
export function isAfter(activityMs: number, key: string, after: ScopeCursor | null): boolean {
  if (after === null) return true;
  return activityMs < after.activityMs || (activityMs === after.activityMs && key < after.key);
}

/** Orders newest activity first, then key descending (the order of ZREVRANGEBYSCORE). */
export function compareEntries(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0);
}

/**
 * Builds a page from entries already in listing order and past the cursor; `limit + 1` tells
 * if there is more. `countsOf` gives each listed scope's counts (from the store's counters).
 */
export function toPage(
  entries: ReadonlyArray<[string, number]>,
  limit: number,
  countsOf: (key: string) => StatusCounts,
): ScopesPage {
  const items: ScopeEntry[] = entries.slice(0, limit).map(([key, activityMs]) => {
    const counts = countsOf(key);
    return {
      scope: parseScopeKey(key),
      key,
      lastActivityAt: new Date(activityMs),
      counts,
      total: countsTotal(counts),
    };
  });
  const last = entries[limit - 1];
  const nextCursor = entries.length > limit && last ? encodeCursor({ activityMs: last[1], key: last[0] }) : null;
  return { items, nextCursor };
}
