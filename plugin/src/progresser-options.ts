import { expected } from './errors.js';
import type { Scope } from './scope.js';
import { normalizeScope } from './scope.js';
import type { Store } from './store.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** How long records stay after their last write; `null` keeps them forever. */
export interface Retention {
  /** @default 86_400_000 (24 h) */
  readonly completedMs?: number | null;
  /** @default 604_800_000 (7 d) */
  readonly failedMs?: number | null;
  /** Records that never finish (a crashed process) go this long after their last write. @default 604_800_000 (7 d) */
  readonly unfinishedMs?: number | null;
}

export const DEFAULT_RETENTION: Required<Retention> = {
  completedMs: DAY_MS,
  failedMs: 7 * DAY_MS,
  unfinishedMs: 7 * DAY_MS,
};

export interface ProgresserOptions {
  /** Groups records: `['user', 3421]`. Non-empty strings without ':' or finite numbers. */
  readonly scope: Scope;
  /** Items to process; `null` when unknown. @default null */
  readonly total?: number | null;
  /** Record id, unique in its scope. @default a random UUID */
  readonly id?: string;
  /** Display name. @default the id */
  readonly name?: string;
  /** Anything JSON can hold, shown with the record. @default {} */
  readonly params?: unknown;
  /** Where to write. Give `store` or `stores`. */
  readonly store?: Store;
  /** Several stores at once: each is written; one failing never stops the others. */
  readonly stores?: readonly Store[];
  /** Least time between two throttled writes. @default 2000 */
  readonly intervalMs?: number;
  /** @default DEFAULT_RETENTION */
  readonly retention?: Retention;
  /** How long `complete()`/`fail()` wait for the store before they resolve; writing goes on in the background. @default 10000 */
  readonly finalWriteTimeoutMs?: number;
  /** Write the record at once, before any tick, so it shows as `started`. @default false */
  readonly persist?: boolean;
  /** Store failures. Never thrown into the job. @default one console warning per burst of failures */
  readonly onError?: (error: Error) => void;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Set by the BullMQ integration. */
  readonly queue?: string | null;
  readonly jobId?: string | null;
  readonly attempt?: number | null;
}

export interface ResolvedProgresserOptions {
  readonly scope: readonly string[];
  readonly total: number | null;
  readonly id: string;
  readonly name: string;
  readonly params: unknown;
  readonly stores: readonly Store[];
  readonly intervalMs: number;
  readonly retention: Required<Retention>;
  readonly finalWriteTimeoutMs: number;
  readonly persist: boolean;
  readonly onError: ((error: Error) => void) | null;
  readonly now: () => number;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
}

/** Applies the defaults once and validates everything, with the library's one message format. */
export function resolveProgresserOptions(options: ProgresserOptions): ResolvedProgresserOptions {
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  const scope = normalizeScope(options.scope);
  const id = options.id ?? crypto.randomUUID();
  if (typeof id !== 'string' || id.length === 0) throw expected('id', 'a non-empty string', id);
  const name = options.name ?? id;
  if (typeof name !== 'string') throw expected('name', 'a string', name);
  const stores = options.stores ?? (options.store ? [options.store] : []);
  if (!Array.isArray(stores) || stores.length === 0 || !stores.every(isStore)) {
    throw expected('store', 'a Store (or `stores`, a non-empty array of them)', options.stores ?? options.store);
  }
  const retention = { ...DEFAULT_RETENTION, ...options.retention };
  for (const [key, value] of Object.entries(retention)) {
    if (value !== null) nonNegative(`retention.${key}`, value);
  }
  return {
    scope,
    total: validateTotal(options.total ?? null),
    id,
    name,
    params: validateParams(options.params ?? {}),
    stores,
    intervalMs: nonNegative('intervalMs', options.intervalMs ?? 2000),
    retention,
    finalWriteTimeoutMs: nonNegative('finalWriteTimeoutMs', options.finalWriteTimeoutMs ?? 10_000),
    persist: options.persist ?? false,
    onError: options.onError ?? null,
    now: options.now ?? Date.now,
    queue: options.queue ?? null,
    jobId: options.jobId ?? null,
    attempt: options.attempt ?? null,
  };
}

export function validateTotal(total: unknown): number | null {
  if (total === null) return null;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
    throw expected('total', 'an integer ≥ 0 or null', total);
  }
  return total;
}

function validateParams(params: unknown): unknown {
  try {
    JSON.stringify(params);
  } catch (error) {
    throw Object.assign(expected('params', 'a value JSON can hold (no BigInt, no cycles)', params), { cause: error });
  }
  return params;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw expected(name, 'a finite number ≥ 0', value);
  }
  return value;
}

function isStore(value: unknown): value is Store {
  return value !== null && typeof value === 'object' && typeof (value as Store).persist === 'function';
}
