import type { Scope } from 'progressrus';
import { expected } from './errors.js';

/**
 * What to follow: a whole scope (`'user:3421'` or `['user', 3421]`), or one job of it
 * (`{ scope, id }`).
 */
export type ProgressTarget =
  | string
  | Scope
  | { readonly scope: string | Scope; readonly id?: string | null };

/** A target checked and reduced to the two query values the HTTP API takes. */
export interface ResolvedTarget {
  /** Scope parts joined with ':' (the API's `scope=` value). */
  readonly scope: string;
  readonly id: string | null;
}

/** Checks a target once; parts follow the core's rules (non-empty, no ':' inside a part). */
export function resolveTarget(target: ProgressTarget): ResolvedTarget {
  if (typeof target === 'string' || Array.isArray(target)) {
    return { scope: scopeValue(target, 'scope'), id: null };
  }
  if (target === null || typeof target !== 'object') {
    throw expected('target', 'a scope or `{ scope, id }`', target);
  }
  const { scope, id } = target as { scope: string | Scope; id?: string | null };
  if (id !== undefined && id !== null && (typeof id !== 'string' || id.length === 0)) {
    throw expected('id', 'a non-empty string', id);
  }
  return { scope: scopeValue(scope, 'scope'), id: id ?? null };
}

function scopeValue(scope: string | Scope, name: string): string {
  if (typeof scope === 'string') {
    if (scope.length === 0 || scope.split(':').some((part) => part.length === 0)) {
      throw expected(name, "a scope like 'user:3421' with no empty part", scope);
    }
    return scope;
  }
  if (!Array.isArray(scope) || scope.length === 0) {
    throw expected(name, 'a non-empty array of strings or finite numbers', scope);
  }
  return scope
    .map((part: unknown, index) => {
      if (typeof part === 'number' && Number.isFinite(part)) return String(part);
      if (typeof part === 'string' && part.length > 0 && !part.includes(':')) return part;
      throw expected(
        `${name}[${index}]`,
        "a non-empty string without ':' or a finite number",
        part,
      );
    })
    .join(':');
}
