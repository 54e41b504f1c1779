import { encodeRecord, isWireFormat, type WireFormat } from '../../core/codec.js';
import { check, checkObject, checkOptionalFunction } from '../../core/validate.js';
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import { readRecord, readRecords, warnMalformed } from '../read-records.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../../core/scope.js';
import { compareEntries, isAfter, normalizeScopesQuery, toPage } from '../scope-page.js';
import type { ScopesPage, ScopesQuery, Store, StoreOptions } from '../store.js';
import type { Tick } from '../../core/tick.js';

export interface MemoryStoreOptions extends StoreOptions {
  /** @default 'default' */
  readonly format?: WireFormat;
}

/**
 * A store in this process's memory, for tests and embedded use. It keeps the encoded JSON,
 * exactly as Redis would, so it reads back through the same decoder.
 *
 * @example
 * const store = new MemoryStore();
 * const progress = new Progresser({ scope: ['user', 1], total: 10, store });
 */
export class MemoryStore implements Store {
  // Values keep their expiry beside the JSON so that expired records go without decoding.
  readonly #scopes = new Map<string, Map<string, StoredValue>>();
  readonly #activity = new Map<string, number>();
  readonly #format: WireFormat;
  readonly #now: () => number;
  readonly #onMalformed: (error: Error) => void;

  constructor(options: MemoryStoreOptions = {}) {
    checkObject('options', options);
    this.#format = check('format', "'default' or 'ruby'", options.format ?? 'default', isWireFormat);
    this.#now = checkOptionalFunction('now', options.now) ?? Date.now;
    this.#onMalformed = checkOptionalFunction('onMalformed', options.onMalformed) ?? warnMalformed;
  }

  async persist(record: ProgressRecord): Promise<void> {
    const key = record.scope.join(SCOPE_SEPARATOR);
    const value = { raw: encodeRecord(record, this.#format), expiresAtMs: record.expiresAt?.getTime() ?? null };
    this.#set(key, record.id, value, lastActivity(record)?.getTime() ?? this.#now());
  }

  /** Stores a raw value as another program might have written it (tests of malformed data). */
  async persistRaw(scope: Scope, id: string, raw: string): Promise<void> {
    this.#set(normalizeScope(scope).join(SCOPE_SEPARATOR), id, { raw, expiresAtMs: null }, this.#now());
  }

  #set(key: string, id: string, value: StoredValue, activityMs: number): void {
    let records = this.#scopes.get(key);
    if (!records) this.#scopes.set(key, (records = new Map()));
    records.set(id, value);
    this.#activity.set(key, Math.max(activityMs, this.#activity.get(key) ?? 0));
  }

  async scope(scope: Scope): Promise<Tick[]> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    this.#sweep(key);
    const entries = [...(this.#scopes.get(key) ?? [])].map(([id, value]): [string, string] => [id, value.raw]);
    return readRecords(key, entries, this.#now(), this.#onMalformed);
  }

  async find(scope: Scope, id: string): Promise<Tick | null> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const value = this.#scopes.get(key)?.get(id);
    if (value === undefined) return null;
    return readRecord(key, id, value.raw, new Date(this.#now()), this.#onMalformed);
  }

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    if (id === undefined) this.#dropScope(key);
    else {
      this.#scopes.get(key)?.delete(id);
      if (this.#scopes.get(key)?.size === 0) this.#dropScope(key);
    }
  }

  async scopes(query?: ScopesQuery): Promise<ScopesPage> {
    const { prefix, after, limit } = normalizeScopesQuery(query);
    const entries = [...this.#activity]
      .filter(([key, activityMs]) => key.startsWith(prefix) && isAfter(activityMs, key, after))
      .sort(compareEntries);
    return toPage(entries.slice(0, limit + 1), limit);
  }

  /** Drops expired records of a scope, as the Redis store's sweep would. */
  #sweep(key: string): void {
    const records = this.#scopes.get(key);
    if (!records) return;
    const nowMs = this.#now();
    for (const [id, { expiresAtMs }] of records) {
      if (expiresAtMs !== null && expiresAtMs <= nowMs) records.delete(id);
    }
    if (records.size === 0) this.#dropScope(key);
  }

  #dropScope(key: string): void {
    this.#scopes.delete(key);
    this.#activity.delete(key);
  }
}

interface StoredValue {
  readonly raw: string;
  readonly expiresAtMs: number | null;
}
