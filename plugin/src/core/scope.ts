import { expected } from './errors.js';
import type { StatusCounts } from './record.js';

/** One part of a scope: `'user'`, `3421`. */
export type ScopePart = string | number;
/** Groups records, e.g. `['user', 3421]`. Stored as the key `<prefix>:user:3421`. */
export type Scope = readonly ScopePart[];

/** The separator of scope parts in keys, as in the Ruby gem. */
export const SCOPE_SEPARATOR = ':';

/**
 * Checks a scope and returns its parts as strings (the Ruby gem stores strings).
 * Parts must be non-empty strings or finite numbers without ':' so that a key maps back to
 * exactly one scope and no part can reach into another scope's keys, and without NUL, which
 * PostgreSQL text cannot hold (so a scope means the same in every store).
 */
export function normalizeScope(scope: unknown, name = 'scope'): string[] {
  if (!Array.isArray(scope) || scope.length === 0) {
    throw expected(name, 'a non-empty array of strings or finite numbers', scope);
  }
  return scope.map((part: unknown, index) => {
    if (typeof part === 'number' && Number.isFinite(part)) return String(part);
    if (typeof part === 'string' && part.length > 0 && !part.includes(SCOPE_SEPARATOR) && !part.includes('\0'))
      return part;
    throw expected(`${name}[${index}]`, "a non-empty string without ':' or NUL, or a finite number", part);
  });
}

/** `['user', 3421]` → `'user:3421'`: the key of a scope without the store's prefix. */
export function scopeKey(scope: Scope): string {
  return normalizeScope(scope).join(SCOPE_SEPARATOR);
}

/** `'user:3421'` → `['user', '3421']`. */
export function parseScopeKey(key: string): string[] {
  return key.split(SCOPE_SEPARATOR);
}

/** One scope in a listing. */
export interface ScopeEntry {
  /** `['user', '3421']` */
  readonly scope: readonly string[];
  /** `'user:3421'`: the scope's key without the store prefix. */
  readonly key: string;
  /** The last write to any record of the scope. */
  readonly lastActivityAt: Date;
  /** Live jobs of the scope by the status they read now, from the store's counters. */
  readonly counts: StatusCounts;
  /** Live jobs of the scope: the sum of `counts`. */
  readonly total: number;
}
