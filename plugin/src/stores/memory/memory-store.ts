import { encodeRecord, isWireFormat, type WireFormat } from '../../core/codec.js';
import { check, checkObject, checkOptionalFunction } from '../../core/validate.js';
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../../core/scope.js';
import type { Tick } from '../../core/tick.js';
import {
  DURATION_SAMPLES,
  type DurationSample,
  durationKey,
  durationSample,
  summarize,
  type TypicalDuration,
} from '../../core/durations.js';
import {
  compareJobKeys,
  emptyCounts,
  isAfterCursor,
  type JobSortKey,
  type JobsPage,
  type JobsQuery,
  normalizeJobsQuery,
  statusAt,
  toJobsPage,
} from '../job-query.js';
import { readRecord, readRecords, warnMalformed } from '../read-records.js';
import { compareEntries, isAfter, normalizeScopesQuery, toPage } from '../scope-page.js';
import type { ScopesPage, ScopesQuery, Store, StoreOptions } from '../store.js';
import { MemoryScope, storedValue } from './memory-scope.js';

export interface MemoryStoreOptions extends StoreOptions {
  /** @default 'default' */
  readonly format?: WireFormat;
}

let setRaw: (store: MemoryStore, key: string, id: string, raw: string) => void;

/**
 * A store in this process's memory, for tests and embedded use. It keeps the encoded JSON,
 * exactly as Redis would, so it reads back through the same decoder, and keeps counts by
 * status beside it, as the other stores do.
 *
 * @example
 * const store = new MemoryStore();
 * const progress = new Progresser({ scope: ['user', 1], total: 10, store });
 */
export class MemoryStore implements Store {
  readonly #scopes = new Map<string, MemoryScope>();
  readonly #format: WireFormat;
  readonly #now: () => number;
  readonly #onMalformed: (error: Error) => void;
  // Per name and queue: the newest completions by record id, each with its record's expiry.
  readonly #durations = new Map<string, Map<string, { sample: DurationSample; expiresAtMs: number | null }>>();

  constructor(options: MemoryStoreOptions = {}) {
    checkObject('options', options);
    this.#format = check('format', "'default' or 'ruby'", options.format ?? 'default', isWireFormat);
    this.#now = checkOptionalFunction('now', options.now) ?? Date.now;
    this.#onMalformed = checkOptionalFunction('onMalformed', options.onMalformed) ?? warnMalformed;
  }

  async persist(record: ProgressRecord): Promise<void> {
    const key = record.scope.join(SCOPE_SEPARATOR);
    this.#set(key, record.id, encodeRecord(record, this.#format), lastActivity(record)?.getTime() ?? this.#now());
    const sample = durationSample(record);
    if (sample) this.#addDuration(durationKey(record.name, record.queue), sample, record.expiresAt);
  }

  /** See `StoreWriter.persistNew`. */
  async persistNew(records: readonly ProgressRecord[]): Promise<void> {
    for (const record of records) {
      if (this.#scopes.get(record.scope.join(SCOPE_SEPARATOR))?.values.has(record.id)) continue;
      await this.persist(record);
    }
  }

  #addDuration(key: string, sample: DurationSample, expiresAt: Date | null): void {
    let samples = this.#durations.get(key);
    if (!samples) this.#durations.set(key, (samples = new Map()));
    samples.set(sample.id, { sample, expiresAtMs: expiresAt?.getTime() ?? null });
    if (samples.size > DURATION_SAMPLES) {
      const oldest = [...samples.values()].sort((a, b) => a.sample.completedAtMs - b.sample.completedAtMs)[0];
      if (oldest) samples.delete(oldest.sample.id);
    }
  }

  async typicalDuration(name: string, queue: string | null = null): Promise<TypicalDuration | null> {
    const nowMs = this.#now();
    const live = [...(this.#durations.get(durationKey(name, queue))?.values() ?? [])]
      .filter((entry) => entry.expiresAtMs === null || entry.expiresAtMs > nowMs)
      .map((entry) => entry.sample);
    return summarize(name, queue, live);
  }

  static {
    // The one way in for `persistRawRecord` below, which is not part of the package's API.
    setRaw = (store, key, id, raw) => store.#set(key, id, raw, store.#now());
  }

  #set(key: string, id: string, raw: string, activityMs: number): void {
    let records = this.#scopes.get(key);
    if (!records) this.#scopes.set(key, (records = new MemoryScope()));
    // Indexed from what is stored, not from the record given: the `ruby` format drops fields.
    records.set(id, storedValue(raw, key, id));
    records.activityMs = Math.max(activityMs, records.activityMs);
  }

  async scope(scope: Scope): Promise<Tick[]> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const records = this.#swept(key);
    const entries = [...(records?.values ?? [])].map(([id, value]): [string, string] => [id, value.raw]);
    return readRecords(key, entries, this.#now(), this.#onMalformed);
  }

  async find(scope: Scope, id: string): Promise<Tick | null> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const value = this.#scopes.get(key)?.values.get(id);
    if (value === undefined) return null;
    return readRecord(key, id, value.raw, new Date(this.#now()), this.#onMalformed);
  }

  async jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    const normalized = normalizeJobsQuery(query);
    const { statuses, name, sort, order, after, limit } = normalized;
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const records = this.#swept(key);
    if (records === undefined) return toJobsPage([], normalized, emptyCounts());
    const nowMs = this.#now();
    const matches: [JobSortKey, string, string][] = [];
    for (const [id, { raw, entry }] of records.values) {
      if (entry === null) continue;
      if (statuses !== null && !statuses.has(statusAt(entry.status, entry.stalledAtMs, nowMs))) continue;
      if (name !== null && !entry.search.startsWith(name)) continue;
      const sortKey = entry.keys[sort];
      if (isAfterCursor(sortKey, id, after, order)) matches.push([sortKey, id, raw]);
    }
    const direction = order === 'asc' ? 1 : -1;
    matches.sort((a, b) => direction * compareJobKeys(a[0], a[1], b[0], b[1]));
    const readAt = new Date(nowMs);
    const ticks: Tick[] = [];
    for (const [, id, raw] of matches.slice(0, limit + 1)) {
      const tick = readRecord(key, id, raw, readAt, this.#onMalformed);
      if (tick) ticks.push(tick);
    }
    return toJobsPage(ticks, normalized, records.counts(nowMs));
  }

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const records = this.#scopes.get(key);
    if (id !== undefined) records?.delete(id);
    if (id === undefined || records?.values.size === 0) this.#scopes.delete(key);
  }

  async scopes(query?: ScopesQuery): Promise<ScopesPage> {
    const { prefix, after, limit } = normalizeScopesQuery(query);
    const entries: [string, number][] = [];
    for (const [key, records] of this.#scopes) {
      if (key.startsWith(prefix) && isAfter(records.activityMs, key, after)) entries.push([key, records.activityMs]);
    }
    entries.sort(compareEntries);
    const nowMs = this.#now();
    return toPage(entries.slice(0, limit + 1), limit, (key) => this.#swept(key)?.counts(nowMs) ?? emptyCounts());
  }

  /** A scope's records with the expired ones dropped, as the Redis store's sweep would. */
  #swept(key: string): MemoryScope | undefined {
    const records = this.#scopes.get(key);
    if (!records) return undefined;
    records.sweep(this.#now());
    if (records.values.size > 0) return records;
    this.#scopes.delete(key);
    return undefined;
  }
}

/**
 * Stores a raw value as another program (the Ruby gem, a broken writer) might have written it,
 * for tests of what the decoder does with it. Not exported from the package: tests import this
 * module.
 */
export async function persistRawRecord(
  store: MemoryStore,
  scope: Scope,
  id: string,
  raw: string,
): Promise<void> {
  setRaw(store, normalizeScope(scope).join(SCOPE_SEPARATOR), id, raw);
}
