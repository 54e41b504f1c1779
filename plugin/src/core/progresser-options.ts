import { expected } from './errors.js';
import type { HistoryPoint } from './history.js';
import { JOB_ACTION_NAMES, type RecordAction } from './record.js';
import type { Scope } from './scope.js';
import { normalizeScope } from './scope.js';
import type { StoreWriter } from './store-writer.js';
import { check, checkBoolean, checkNonEmptyString, checkNonNegative, checkObject, MAX_TIMER_MS } from './validate.js';

const HOUR_MS = 60 * 60 * 1000;
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
  /**
   * The progress history of an earlier attempt of this job, continued as one series with this
   * attempt's start marked as a retry (the BullMQ integration passes it). @default []
   */
  readonly history?: readonly HistoryPoint[];
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
  /** `null`: the caller bounds its own waits (the BullMQ runner). */
  readonly finalWriteTimeoutMs: number | null;
  readonly persist: boolean;
  readonly leading: boolean;
  readonly onError: ((error: Error) => void) | null;
  readonly now: () => number;
  readonly queue: string | null;
  readonly jobId: string | null;
  readonly attempt: number | null;
  readonly actions: readonly RecordAction[];
  readonly history: readonly HistoryPoint[];
}

/** Applies the defaults once and validates everything, with the library's one message format. */
export function resolveProgresserOptions(options: ProgresserOptions): ResolvedProgresserOptions {
  checkObject('options', options);
  const scope = normalizeScope(options.scope);
  const id = checkNonEmptyString('id', options.id ?? crypto.randomUUID());
  const name = check('name', 'a string', options.name ?? id, (v) => typeof v === 'string');
  const stores = options.stores ?? (options.store ? [options.store] : []);
  if (!Array.isArray(stores) || stores.length === 0 || !stores.every(isStore)) {
    throw expected('store', 'a Store (or `stores`, a non-empty array of them)', options.stores ?? options.store);
  }
  const retention = resolveRetention(options.retention);
  return {
    scope,
    total: validateTotal(options.total ?? null),
    id,
    name,
    params: validateParams(options.params ?? {}),
    stores,
    intervalMs: checkNonNegative('intervalMs', options.intervalMs ?? 2000, MAX_TIMER_MS),
    retention,
    finalWriteTimeoutMs: checkNonNegative('finalWriteTimeoutMs', options.finalWriteTimeoutMs ?? 10_000, MAX_TIMER_MS),
    persist: checkBoolean('persist', options.persist ?? false),
    leading: checkBoolean('leading', options.leading ?? true),
    onError: check('onError', 'a function', options.onError ?? null, (v) => v === null || typeof v === 'function'),
    now: check('now', 'a function', options.now ?? Date.now, (v) => typeof v === 'function'),
    // Checked here because the decoder rejects a record whose fields have the wrong type:
    // a bad `queue` would otherwise write a record nobody can read.
    queue: check('queue', 'a non-empty string or null', options.queue ?? null, isOptionalText),
    jobId: check('jobId', 'a non-empty string or null', options.jobId ?? null, isOptionalText),
    attempt: check('attempt', 'an integer ≥ 0 or null', options.attempt ?? null, (v) => v === null || (Number.isInteger(v) && (v as number) >= 0)),
    actions: check('actions', 'an array of { action, at }', options.actions ?? [], isActionList),
    history: check('history', 'an array of { at, count, retry }', options.history ?? [], isHistory),
  };
}

function isHistory(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (p) =>
        p !== null &&
        typeof p === 'object' &&
        p.at instanceof Date &&
        Number.isFinite(p.at.getTime()) &&
        typeof p.count === 'number' &&
        p.count >= 0 &&
        typeof p.retry === 'boolean',
    )
  );
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

/**
 * Retention with its defaults, each value checked (`null` keeps records forever). `name` is the
 * option's name where the caller took it (`progress.retention` in the BullMQ options).
 */
export function resolveRetention(retention: Retention | undefined, name = 'retention'): Required<Retention> {
  // One the BullMQ integration resolved once, passed again for every job's Progresser.
  if (retention !== undefined && RESOLVED.has(retention)) return retention as Required<Retention>;
  if (retention !== undefined) checkObject(name, retention);
  const resolved = { ...DEFAULT_RETENTION };
  for (const key of Object.keys(DEFAULT_RETENTION) as (keyof Retention)[]) {
    const value = retention?.[key];
    if (value !== undefined) resolved[key] = value === null ? null : checkNonNegative(`${name}.${key}`, value, MAX_RETENTION_MS);
  }
  Object.freeze(resolved);
  RESOLVED.add(resolved);
  return resolved;
}

/** Retentions this module built (frozen, so they cannot have changed since). */
const RESOLVED = new WeakSet<object>();

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

function isStore(value: unknown): value is StoreWriter {
  return value !== null && typeof value === 'object' && typeof (value as StoreWriter).persist === 'function';
}
