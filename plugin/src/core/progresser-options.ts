import { expected } from './errors.js';
import { JOB_ACTION_NAMES, type RecordAction } from './record.js';
import type { Scope } from './scope.js';
import { normalizeScope } from './scope.js';
import type { StoreWriter } from '../stores/store.js';

const HOUR_MS = 60 * 60 * 1000;
/** setTimeout fires at once for longer delays (with a warning), so longer timers are refused. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** About 31,700 years: any longer and `expires_at` would fall outside what a Date can hold. */
const MAX_RETENTION_MS = 1e15;
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
  readonly store?: StoreWriter;
  /** Several stores at once: each is written; one failing never stops the others. */
  readonly stores?: readonly StoreWriter[];
  /** Least time between two throttled writes. @default 2000 */
  readonly intervalMs?: number;
  /** @default DEFAULT_RETENTION */
  readonly retention?: Retention;
  /** How long `complete()`/`fail()` wait for the store before they resolve; writing goes on in the background. @default 10000 */
  readonly finalWriteTimeoutMs?: number;
  /** Write the record at once, before any tick, so it shows as `started`. @default false */
  readonly persist?: boolean;
  /**
   * Write the first tick at once (the leading edge). `false` holds it until one interval after
   * construction, like later ticks, so a job that ends sooner writes only its end: the BullMQ
   * integration's choice for short jobs. @default true
   */
  readonly leading?: boolean;
  /** Store failures. Never thrown into the job. @default one console warning per burst of failures */
  readonly onError?: (error: Error) => void;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Set by the BullMQ integration. */
  readonly queue?: string | null;
  readonly jobId?: string | null;
  readonly attempt?: number | null;
  /** Actions already in the record, carried on when a retried job runs again. @default [] */
  readonly actions?: readonly RecordAction[];
}

export interface ResolvedProgresserOptions {
  readonly scope: readonly string[];
  readonly total: number | null;
  readonly id: string;
  readonly name: string;
  readonly params: unknown;
  readonly stores: readonly StoreWriter[];
  readonly intervalMs: number;
  readonly retention: Required<Retention>;
  readonly finalWriteTimeoutMs: number;
  readonly persist: boolean;
  readonly leading: boolean;
  readonly onError: ((error: Error) => void) | null;
  readonly now: () => number;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
  readonly actions: readonly RecordAction[];
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
  if (options.retention !== undefined && (options.retention === null || typeof options.retention !== 'object')) {
    throw expected('retention', 'an object', options.retention);
  }
  const retention = { ...DEFAULT_RETENTION };
  for (const key of Object.keys(DEFAULT_RETENTION) as (keyof Retention)[]) {
    const value = options.retention?.[key];
    if (value !== undefined) retention[key] = value === null ? null : nonNegative(`retention.${key}`, value, MAX_RETENTION_MS);
  }
  return {
    scope,
    total: validateTotal(options.total ?? null),
    id,
    name,
    params: validateParams(options.params ?? {}),
    stores,
    intervalMs: nonNegative('intervalMs', options.intervalMs ?? 2000, MAX_TIMER_MS),
    retention,
    finalWriteTimeoutMs: nonNegative('finalWriteTimeoutMs', options.finalWriteTimeoutMs ?? 10_000, MAX_TIMER_MS),
    persist: oneOf('persist', 'a boolean', options.persist ?? false, (v) => typeof v === 'boolean'),
    leading: oneOf('leading', 'a boolean', options.leading ?? true, (v) => typeof v === 'boolean'),
    onError: oneOf('onError', 'a function', options.onError ?? null, (v) => v === null || typeof v === 'function'),
    now: oneOf('now', 'a function', options.now ?? Date.now, (v) => typeof v === 'function'),
    // Checked here because the decoder rejects a record whose fields have the wrong type:
    // a bad `queue` would otherwise write a record nobody can read.
    queue: oneOf('queue', 'a non-empty string or null', options.queue ?? null, isOptionalText),
    jobId: oneOf('jobId', 'a non-empty string or null', options.jobId ?? null, isOptionalText),
    attempt: oneOf('attempt', 'an integer ≥ 0 or null', options.attempt ?? null, (v) => v === null || (Number.isInteger(v) && (v as number) >= 0)),
    actions: oneOf('actions', 'an array of { action, at }', options.actions ?? [], isActionList),
  };
}

function isActionList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        entry !== null &&
        typeof entry === 'object' &&
        (JOB_ACTION_NAMES as readonly unknown[]).includes(entry.action) &&
        entry.at instanceof Date &&
        !Number.isNaN(entry.at.getTime()),
    )
  );
}

function oneOf<T>(name: string, what: string, value: T, valid: (value: unknown) => boolean): T {
  if (!valid(value)) throw expected(name, what, value);
  return value;
}

function isOptionalText(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.length > 0);
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

function nonNegative(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw expected(name, 'a finite number ≥ 0', value);
  }
  if (value > max) throw expected(name, `a number ≤ ${max}`, value);
  return value;
}

function isStore(value: unknown): value is StoreWriter {
  return value !== null && typeof value === 'object' && typeof (value as StoreWriter).persist === 'function';
}
