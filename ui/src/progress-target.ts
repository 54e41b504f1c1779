import {
  checkNonEmptyString,
  expected,
  normalizeScope,
  parseScopeKey,
  type Scope,
  SCOPE_SEPARATOR,
} from 'progressrus/core';

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

/** Checks a target once, with the core's scope rules (non-empty parts, no ':' inside a part). */
export function resolveTarget(target: ProgressTarget): ResolvedTarget {
  if (typeof target === 'string' || Array.isArray(target)) {
    return { scope: scopeValue(target, 'scope'), id: null };
  }
  if (target === null || typeof target !== 'object') {
    throw expected('target', 'a scope or `{ scope, id }`', target);
  }
  const { scope, id } = target as { scope: string | Scope; id?: string | null };
  if (id !== undefined && id !== null) checkNonEmptyString('id', id);
  return { scope: scopeValue(scope, 'scope'), id: id ?? null };
}

function scopeValue(scope: string | Scope, name: string): string {
  if (typeof scope === 'string') {
    if (scope.length === 0 || parseScopeKey(scope).some((part) => part.length === 0)) {
      throw expected(name, "a scope like 'user:3421' with no empty part", scope);
    }
    return scope;
  }
  return normalizeScope(scope, name).join(SCOPE_SEPARATOR);
}
