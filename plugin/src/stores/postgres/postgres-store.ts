import type { TypicalDuration } from '../../core/durations.js';
import { DurationLookups, type DurationQueries, durationQueries, durationRows } from './postgres-durations.js';
import { expected, StoreError } from '../../core/errors.js';
import {
  check,
  checkInteger,
  checkNonEmptyString,
  checkNonNegative,
  checkObject,
  checkOptionalFunction,
} from '../../core/validate.js';
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import { warnMalformed } from '../read-records.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../../core/scope.js';
import { normalizeScopesQuery, toPage } from '../scope-page.js';
import type { ScopesPage, ScopesQuery, Store, StoreOptions } from '../store.js';
import type { Tick } from '../../core/tick.js';
import {
  emptyCounts,
  type JobsPage,
  type JobsQuery,
  normalizeJobsQuery,
  type StatusCounts,
  toJobsPage,
} from '../job-query.js';
import {
  likePrefix,
  type NeverStalling,
  type PostgresQueries,
  postgresQueries,
  readsClock,
} from './postgres-queries.js';
import { type AdjustmentRow, type CounterRow, countsFrom, neverStallingOf } from './postgres-counts.js';
import { gathers, onlyWriting, walkBudget } from './postgres-page-plan.js';
import { encodeRow, type RecordRow, readRows } from './postgres-row.js';
import { migrationSql, type PostgresTables, postgresTables } from './postgres-schema.js';

/**
 * What the store needs of a database connection: pg's `Pool` or `Client`, or a PGlite
 * instance, as they are. Each call runs one statement.
 */
export interface PostgresQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface PostgresStoreOptions extends StoreOptions {
  /**
   * A pg `Pool` (or `Client`), or a PGlite instance. The store never closes it: it is yours.
   * @example new pg.Pool({ connectionString: process.env.DATABASE_URL })
   */
  readonly pool: PostgresQueryable;
  /**
   * The records table, optionally schema-qualified; the scope index is `<table>_scopes`.
   * @default 'progressrus'
   */
  readonly table?: string;
  /** How often writes also delete expired records. @default 1000 */
  readonly sweepIntervalMs?: number;
}

/** A gather of the records that can stall only. */
const NEVER_STALLING_NONE: NeverStalling = new Set();
/** Records per INSERT statement: bounds the size of one statement when a burst of writes comes. */
const WRITE_CHUNK = 1000;
const SWEEP_BATCH = 500;

/**
 * The PostgreSQL store: one row per (scope, id) with typed columns (params as jsonb), so
 * history can outlive Redis retention and join your own tables. Writes are upserts, so a
 * repeated write is harmless. Nothing is created behind your back: run `migrate()` once,
 * as a deploy step.
 *
 * Writes made in the same turn of the event loop go to the database as one statement, and
 * batches are written one after the other so a later state never loses to an earlier one.
 *
 * @example
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * const progress = new Progresser({ scope: ['user', 3421], total: 100, store });
 */
export class PostgresStore implements Store {
  readonly tables: PostgresTables;
  readonly #pool: PostgresQueryable;
  readonly #sql: PostgresQueries;
  readonly #durations: DurationQueries;
  readonly #durationLookups: DurationLookups;
  readonly #now: () => number;
  readonly #onMalformed: (error: Error) => void;
  readonly #sweepIntervalMs: number;
  // Set by fromUrl(): only a pool the store made is the store's to end.
  #ownsPool = false;
  #lastSweepMs = 0;
  // Records waiting for the next batch, latest write per record wins.
  #batch = new Map<string, ProgressRecord>();
  #batchDone: Promise<void> | null = null;
  // The batch being written; never rejects, it only orders the next one after it.
  #writing: Promise<void> = Promise.resolve();
  #closed: Promise<void> | null = null;

  constructor(options: PostgresStoreOptions) {
    checkObject('options', options);
    const { pool, table = 'progressrus', sweepIntervalMs = 1000 } = options;
    this.#pool = check(
      'pool',
      'a pg Pool or Client, or a PGlite instance',
      pool,
      (value) => value !== null && typeof value === 'object' && typeof value.query === 'function',
    );
    this.#sweepIntervalMs = checkNonNegative('sweepIntervalMs', sweepIntervalMs);
    this.tables = postgresTables(table);
    this.#sql = postgresQueries(this.tables);
    this.#durations = durationQueries(this.tables);
    this.#now = checkOptionalFunction('now', options.now) ?? Date.now;
    this.#durationLookups = new DurationLookups((text, params) => this.#query(text, params), this.#durations, this.#now);
    this.#onMalformed = checkOptionalFunction('onMalformed', options.onMalformed) ?? warnMalformed;
  }

  /**
   * A store on a new pg `Pool` for a connection URL, which the store owns: `close()` ends it.
   * Needs the `pg` package.
   *
   * @example
   * const store = await PostgresStore.fromUrl(process.env.DATABASE_URL);
   */
  static async fromUrl(
    url: string,
    options: Omit<PostgresStoreOptions, 'pool'> = {},
  ): Promise<PostgresStore> {
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
      throw expected('url', 'a postgres:// or postgresql:// URL', url);
    }
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (error) =>
      console.warn(`[progressrus] PostgreSQL connection lost: ${error.message}`),
    );
    const store = new PostgresStore({ ...options, pool });
    store.#ownsPool = true;
    return store;
  }

  /** Creates the tables and indexes, or brings those of an older version up to date. Idempotent. */
  async migrate(): Promise<void> {
    await this.#pool.query(migrationSql(this.tables));
    await this.#pool.query(this.#durations.migrate);
  }

  persist(record: ProgressRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreError('The PostgresStore is closed'));
    this.#batch.set(`${record.scope.join(SCOPE_SEPARATOR)}\n${record.id}`, record);
    // setImmediate, not a microtask: concurrent jobs tick in different microtasks of one turn.
    this.#batchDone ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#writeBatch(),
    );
    return this.#batchDone;
  }

  #writeBatch(): Promise<void> {
    const records = [...this.#batch.values()];
    this.#batch = new Map();
    this.#batchDone = null;
    const written = this.#writing.then(() => this.#write(records));
    this.#writing = written.catch(() => {});
    return written;
  }

  async #write(records: ProgressRecord[]): Promise<void> {
    // The same order in every process, so concurrent writers lock rows without deadlocking.
    records.sort(
      (a, b) =>
        compareText(a.scope.join(SCOPE_SEPARATOR), b.scope.join(SCOPE_SEPARATOR)) ||
        compareText(a.id, b.id),
    );
    for (let start = 0; start < records.length; start += WRITE_CHUNK) {
      const chunk = records.slice(start, start + WRITE_CHUNK);
      const activity = new Map<string, number>();
      for (const record of chunk) {
        const key = record.scope.join(SCOPE_SEPARATOR);
        activity.set(
          key,
          Math.max(lastActivity(record)?.getTime() ?? this.#now(), activity.get(key) ?? 0),
        );
      }
      const scopes = [...activity].map(([key, ms]) => ({ key, last_activity_at: new Date(ms) }));
      await this.#query(this.#sql.upsert, [
        JSON.stringify(chunk.map(encodeRow)),
        JSON.stringify(scopes),
      ]);
      // Only a batch with completions: they join their names' figures (core/durations.ts).
      const completions = durationRows(chunk);
      if (completions.length > 0) await this.#query(this.#durations.insert, [JSON.stringify(completions)]);
    }
    if (this.#now() - this.#lastSweepMs >= this.#sweepIntervalMs) {
      this.#lastSweepMs = this.#now();
      // The sweep is housekeeping: its failure must not fail the writes that triggered it.
      this.sweep().catch(() => {});
    }
  }

  async scope(scope: Scope): Promise<Tick[]> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const nowMs = this.#now();
    const rows = await this.#query(this.#sql.selectScope, [key, new Date(nowMs).toISOString()]);
    return readRows(key, rows as RecordRow[], nowMs, this.#onMalformed);
  }

  typicalDuration(name: string, queue: string | null = null): Promise<TypicalDuration | null> {
    return this.#durationLookups.lookUp(name, queue);
  }

  async find(scope: Scope, id: string): Promise<Tick | null> {
    checkNonEmptyString('id', id);
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    // PostgreSQL text cannot hold NUL: no such record can exist, and asking must not fail.
    if (id.includes('\0')) return null;
    const nowMs = this.#now();
    const rows = await this.#query(this.#sql.selectOne, [key, new Date(nowMs).toISOString(), id]);
    return readRows(key, rows as RecordRow[], nowMs, this.#onMalformed)[0] ?? null;
  }

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    if (id === undefined) await this.#query(this.#sql.deleteScope, [key]);
    else {
      checkNonEmptyString('id', id);
      await this.#query(this.#sql.deleteRecord, [key, id]);
    }
  }

  async scopes(query?: ScopesQuery): Promise<ScopesPage> {
    const { prefix, after, limit } = normalizeScopesQuery(query);
    const params: unknown[] = [limit + 1];
    if (prefix !== '') params.push(likePrefix(prefix));
    if (after) {
      // A well-formed cursor can still hold a time PostgreSQL cannot: only ours are valid.
      const time = new Date(after.activityMs);
      if (Number.isNaN(time.getTime()))
        throw expected('cursor', 'a cursor returned by a previous page', query?.cursor);
      params.push(time.toISOString(), after.key);
    }
    const sql = this.#sql.scopesPage({ prefix: prefix !== '', cursor: after !== null });
    const rows = (await this.#query(sql, params)) as { key: string; activity_ms: number }[];
    const counts = await this.#counts(rows.slice(0, limit).map((row) => row.key));
    return toPage(
      rows.map((row) => [row.key, Number(row.activity_ms)]),
      limit,
      (key) => counts.get(key) ?? emptyCounts(),
    );
  }

  async jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    const normalized = normalizeJobsQuery(query);
    const { statuses, name, sort, order, after, limit } = normalized;
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const nowMs = this.#now();
    const params: unknown[] = [key, new Date(nowMs).toISOString(), limit + 1];
    if (statuses !== null && readsClock(statuses)) params.push(nowMs);
    if (name !== null) params.push(likePrefix(name), name);
    // A missing key is stored as -Infinity, which JSON cannot carry: it goes as text.
    if (after !== null) params.push(after.key ?? '-Infinity', after.id);
    const filter = { statuses, name: name !== null, sort, order, cursor: after !== null };
    const clock = statuses !== null && readsClock(statuses);
    const named = name !== null && sort !== 'name';
    const read = async (sql: string, extra: unknown[] = []) =>
      readRows(key, (await this.#query(sql, [...params, ...extra])) as RecordRow[], nowMs, this.#onMalformed);
    if (!clock && !named) {
      const [ticks, counts] = await Promise.all([read(this.#sql.jobsPage(filter)), this.#counts([key])]);
      return toJobsPage(ticks, normalized, counts.get(key) ?? emptyCounts());
    }
    if (clock && onlyWriting(statuses)) {
      // The records writing now: the counts read each of them (the stall index past now) on
      // every page anyway, so the page gathers them too, at the same time. It reads those
      // that can stall; the counters say whether the scope holds any that never stall (no
      // interval, rare), and then the page is read again with them.
      const [counters, adjustments] = this.#countRows([key]);
      const stalling = read(this.#sql.jobsGather(filter, NEVER_STALLING_NONE));
      stalling.catch(() => {});
      const [counterRows, adjustmentRows] = await Promise.all([counters, adjustments]);
      const neverStalling = neverStallingOf(counterRows[0]);
      const ticks = [...statuses].some((status) => neverStalling.has(status as 'running'))
        ? await read(this.#sql.jobsGather(filter, neverStalling))
        : await stalling;
      return toJobsPage(ticks, normalized, countsFrom(counterRows, adjustmentRows).get(key) ?? emptyCounts());
    }
    // The counts tell how many records pass a status filter, so which plan is cheap.
    const [counters, adjustments] = this.#countRows([key]);
    const counterRows = await counters;
    const counts = countsFrom(counterRows, await adjustments).get(key) ?? emptyCounts();
    let sql: string;
    const extra: unknown[] = [];
    if (clock && gathers(statuses, counts, limit)) sql = this.#sql.jobsGather(filter, neverStallingOf(counterRows[0]));
    else if (named) {
      sql = this.#sql.jobsNamed(filter);
      extra.push(walkBudget(statuses, counts, limit, sort));
    } else sql = this.#sql.jobsPage(filter);
    return toJobsPage(await read(sql, extra), normalized, counts);
  }

  /** Counts by status of some scopes: see `countsFrom`. */
  async #counts(keys: readonly string[]): Promise<Map<string, StatusCounts>> {
    if (keys.length === 0) return new Map();
    const [counters, adjustments] = this.#countRows(keys);
    return countsFrom(await counters, await adjustments);
  }

  /** The two reads of `countsFrom`, started at once; a failure of either is the caller's. */
  #countRows(keys: readonly string[]): [counters: Promise<CounterRow[]>, adjustments: Promise<AdjustmentRow[]>] {
    const nowMs = this.#now();
    const counters = this.#query(this.#sql.counters, [keys]) as Promise<CounterRow[]>;
    const adjustments = this.#query(this.#sql.countAdjustments, [keys, new Date(nowMs).toISOString(), nowMs]) as Promise<
      AdjustmentRow[]
    >;
    // Both are awaited, one after the other: the second must not be an unhandled rejection meanwhile.
    adjustments.catch(() => {});
    return [counters, adjustments];
  }

  /**
   * Deletes records past their `expires_at`, oldest first, at most `limit` per call, through
   * the index on `expires_at`; scopes left empty leave the listing. Writes call it at most
   * once per `sweepIntervalMs`; call it from a scheduled task to keep up with a quiet store.
   * Returns how many records it removed.
   */
  async sweep(limit = SWEEP_BATCH): Promise<number> {
    checkInteger('limit', limit);
    const [row] = (await this.#query(this.#sql.sweep, [
      new Date(this.#now()).toISOString(),
      limit,
    ])) as { removed: number }[];
    return row?.removed ?? 0;
  }

  /** Waits for the writes in flight and, for a store made by `fromUrl()`, ends its pool. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await (this.#batchDone ?? Promise.resolve()).catch(() => {});
      await this.#writing;
      if (this.#ownsPool) await (this.#pool as PostgresQueryable & { end(): Promise<void> }).end();
    })();
    return this.#closed;
  }

  async #query(text: string, params: unknown[]): Promise<unknown[]> {
    try {
      return (await this.#pool.query(text, params)).rows;
    } catch (error) {
      // undefined_table: the one mistake everyone makes once, so it says what to do.
      if (error && typeof error === 'object' && 'code' in error && error.code === '42P01') {
        throw new StoreError(
          `The table ${this.tables.records} or ${this.tables.scopes} does not exist: run \`await store.migrate()\` once, as a deploy step`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
