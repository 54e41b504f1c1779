import type { Cluster, Redis } from 'ioredis';
import { isWireFormat, type WireFormat } from '../../core/codec.js';
import type { TypicalDuration } from '../../core/durations.js';
import {
  check,
  checkBoolean,
  checkInteger,
  checkNonEmptyString,
  checkNonNegative,
  checkObject,
  checkOptionalFunction,
  checkRange,
} from '../../core/validate.js';
import type { ProgressRecord } from '../../core/record.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../../core/scope.js';
import type { Tick } from '../../core/tick.js';
import { emptyCounts, type JobsPage, type JobsQuery, normalizeJobsQuery, type StatusCounts, toJobsPage } from '../job-query.js';
import { readRecord, readRecords, warnMalformed } from '../read-records.js';
import { compareEntries, isAfter, normalizeScopesQuery, type ScopeCursor, toPage } from '../scope-page.js';
import type { ScopesPage, ScopesQuery, Store, StoreOptions } from '../store.js';
import { boundedRead, type ReadContext } from './bounded-read.js';
import { type RedisContext, redisContext } from './redis-context.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { SCRIPTS } from './redis-lua.js';
import { readPage, readState, type ScopeState } from './redis-read.js';
import { deleteRecord, deleteScope, SWEEP_BATCH, sweepDue, sweepScope } from './redis-remove.js';
import { repairScope } from './redis-repair.js';
import { insertRecords } from './redis-insert.js';
import { writeRecords } from './redis-write.js';
import { DurationReads } from './redis-durations.js';

export interface RedisStoreOptions extends StoreOptions {
  /** An ioredis `Redis` or `Cluster`. The store never closes it: it is yours. */
  readonly connection: Redis | Cluster;
  /** Key prefix, as the Ruby gem's. @default 'progressrus' */
  readonly prefix?: string;
  /** `'ruby'` writes only the Ruby gem's 11 keys so a Rails app can read the records. @default 'default' */
  readonly format?: WireFormat;
  /** Publish each write and deletion (`delete`, expiry sweep) on `<prefix>::changes` for live viewers. @default true */
  readonly publish?: boolean;
  /** How often writes also remove expired records. @default 1000 */
  readonly sweepIntervalMs?: number;
  /**
   * How long a write waits for others to share its round trip. Busy workers finish jobs a few
   * at a time, spread over many turns of the event loop; a short window lets a whole burst of
   * them go to Redis as one script call. 0 sends at the end of the current turn. @default 5
   */
  readonly batchMs?: number;
  /**
   * How long a read (`find`, `scope`, `scopes`, `jobs`) waits for each Redis command before it fails
   * with a `StoreError` naming the store: while Redis is down, ioredis would otherwise queue the
   * command and retry it for a long time (forever on a connection with
   * `maxRetriesPerRequest: null`). 0 waits as long as ioredis does. Writes are not bounded
   * here: a Progresser retries them. @default 5000
   */
  readonly readTimeoutMs?: number;
}

/** A prefix filter matching fewer scopes than this is served from the name index, else by walking the activity index. */
const NAME_INDEX_LIMIT = 2000;
/** At most this many batches per write-triggered sweep: a backlog of millions drains over several. */
const MAX_SWEEP_ROUNDS = 100;

/**
 * The Redis store: one hash per scope in the Ruby gem's layout, plus per scope the sorted sets
 * and counters that serve a page of jobs and their counts in O(page), and the global indexes
 * that list scopes by activity and find expired records (see redis-keys.ts).
 *
 * Writes made within `batchMs` of each other — say, by 50 concurrent jobs — go to Redis
 * together as one Lua script call (redis-lua.ts) that stores each record, moves its index
 * entries and counters, and publishes, atomically. On a Cluster: one call for the global
 * indexes, then one per hash slot of the scopes (see redis-write.ts).
 *
 * @example
 * const store = new RedisStore({ connection: new Redis(process.env.REDIS_URL) });
 * const progress = new Progresser({ scope: ['user', 3421], total: 100, store });
 */
export class RedisStore implements Store {
  readonly keys: RedisKeys;
  readonly #redis: Redis | Cluster;
  readonly #format: WireFormat;
  readonly #publish: boolean;
  readonly #now: () => number;
  readonly #onMalformed: (error: Error) => void;
  readonly #sweepIntervalMs: number;
  readonly #batchMs: number;
  readonly #context: RedisContext;
  readonly #read: ReadContext;
  readonly #repairs = new Map<string, Promise<number>>();
  readonly #durations: DurationReads;
  #lastSweepMs = 0;
  #sweeping = false;
  // Records waiting for the next batch, latest write per record wins.
  #pending = new Map<string, ProgressRecord>();
  #pendingWritten: Promise<void> | null = null;
  // Releases the pending batch, and the timer that will, when it waits for batchMs.
  #send: () => void = () => {};
  #sendTimer: ReturnType<typeof setTimeout> | null = null;
  // Group commit: while one batch is in flight the next one gathers, and goes when the reply
  // comes. On a busy worker a batch then holds what finished during a round trip, not during
  // one event-loop turn: fewer, larger script calls, each a socket write and a script run.
  #inFlight = false;
  #sendWhenLanded = false;

  constructor(options: RedisStoreOptions) {
    checkObject('options', options);
    const {
      connection,
      prefix = 'progressrus',
      format = 'default',
      publish = true,
      sweepIntervalMs = 1000,
    } = options;
    this.#redis = check(
      'connection',
      'an ioredis Redis or Cluster',
      connection,
      (value) => value !== null && typeof value === 'object' && typeof value.hset === 'function',
    );
    this.keys = redisKeys(checkNonEmptyString('prefix', prefix));
    this.#format = check('format', "'default' or 'ruby'", format, isWireFormat);
    this.#publish = checkBoolean('publish', publish);
    this.#now = checkOptionalFunction('now', options.now) ?? Date.now;
    this.#onMalformed = checkOptionalFunction('onMalformed', options.onMalformed) ?? warnMalformed;
    this.#sweepIntervalMs = checkNonNegative('sweepIntervalMs', sweepIntervalMs);
    this.#batchMs = checkRange('batchMs', options.batchMs ?? 5, 0, 1000);
    const read: ReadContext = {
      store: `RedisStore ${JSON.stringify(prefix)}`,
      status: () => connection.status,
      timeoutMs: checkInteger('readTimeoutMs', options.readTimeoutMs ?? 5000, 0),
    };
    this.#read = read;
    this.#context = redisContext({
      redis: connection,
      keys: this.keys,
      channel: publish ? this.keys.changes : null,
      now: this.#now,
      onMalformed: this.#onMalformed,
      bounded: (operation, command) => boundedRead(command, operation, read),
    });
    this.#durations = new DurationReads(this.#context);
  }

  /** One Redis command of a read: bounded by `readTimeoutMs`, failing with a `StoreError`. */
  #bounded<T>(operation: string, command: Promise<T>): Promise<T> {
    return boundedRead(command, operation, this.#read);
  }

  persist(record: ProgressRecord): Promise<void> {
    this.#pending.set(`${record.scope.join(SCOPE_SEPARATOR)}\n${record.id}`, record);
    // A final state goes at the end of this turn, not after batchMs: a BullMQ worker waits for
    // it before BullMQ may mark the job finished (see JobProgressRunner).
    const final = record.completedAt !== null || record.failedAt !== null;
    if (this.#pendingWritten === null) {
      this.#pendingWritten = new Promise<void>((resolve) => {
        this.#send = resolve;
      }).then(() => this.#writeBatch());
      this.#scheduleSend(final ? 0 : this.#batchMs);
    } else if (final && this.#sendTimer !== null) {
      this.#scheduleSend(0);
    }
    return this.#pendingWritten;
  }

  /** See `StoreWriter.persistNew`: one script call per 1,000 records, sent at once. */
  persistNew(records: readonly ProgressRecord[]): Promise<void> {
    // Not async, so that the records die young (see insertRecords); a failure still rejects.
    try {
      return insertRecords(this.#context, records, this.#format);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends the pending batch after `ms`, or at the end of the turn for 0 — never in a microtask:
   * concurrent jobs tick in different microtasks of one turn. The timers are not unref'd, so a
   * final write is sent even when nothing else keeps the process alive.
   */
  #scheduleSend(ms: number): void {
    if (this.#sendTimer !== null) clearTimeout(this.#sendTimer);
    const send = () => {
      this.#sendTimer = null;
      if (this.#inFlight) this.#sendWhenLanded = true;
      else this.#send();
    };
    if (ms === 0) setImmediate(send);
    this.#sendTimer = ms === 0 ? null : setTimeout(send, ms);
  }

  async #writeBatch(): Promise<void> {
    const records = [...this.#pending.values()];
    this.#pending = new Map();
    this.#pendingWritten = null;
    this.#inFlight = true;
    try {
      await writeRecords(this.#context, records, this.#format);
    } finally {
      this.#inFlight = false;
      if (this.#sendWhenLanded) {
        this.#sendWhenLanded = false;
        this.#send();
      }
    }
    if (this.#now() - this.#lastSweepMs >= this.#sweepIntervalMs && !this.#sweeping) {
      this.#lastSweepMs = this.#now();
      // The sweep is housekeeping: its failure must not fail the writes that triggered it.
      this.#sweeping = true;
      this.#sweepDue()
        .catch(() => {})
        .finally(() => {
          this.#sweeping = false;
        });
    }
  }

  /**
   * Sweeps until no full batch is due, so that expiry keeps up with however many jobs finish
   * per second (one batch per interval would cap it at 500 records a second).
   */
  async #sweepDue(): Promise<void> {
    for (let round = 0; round < MAX_SWEEP_ROUNDS; round += 1) {
      if ((await this.sweep()) < SWEEP_BATCH) return;
    }
  }

  async scope(scope: Scope): Promise<Tick[]> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const hash = await this.#bounded('scope()', this.#redis.hgetall(this.keys.scope(key)));
    return readRecords(key, Object.entries(hash), this.#now(), this.#onMalformed);
  }

  async find(scope: Scope, id: string): Promise<Tick | null> {
    checkNonEmptyString('id', id);
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const raw = await this.#bounded('find()', this.#redis.hget(this.keys.scope(key), id));
    return raw === null ? null : readRecord(key, id, raw, new Date(this.#now()), this.#onMalformed);
  }

  typicalDuration(name: string, queue: string | null = null): Promise<TypicalDuration | null> {
    return this.#durations.lookUp(name, queue);
  }

  /**
   * One page of a scope's jobs from its sorted sets, with its counts from its counters: O(page),
   * however large the scope. A scope whose hash and counters disagree (records written by the
   * Ruby gem, which only HSETs) is repaired first, so they appear after one read.
   */
  async jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    const normalized = normalizeJobsQuery(query);
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    const nowMs = this.#now();
    const state = await this.#reconciled(key, nowMs);
    const page = await readPage(this.#context, key, this.#context.scope(key), normalized, state, nowMs);
    return toJobsPage(page.ticks, normalized, page.state.counts);
  }

  /** The scope's counters, after removing its expired records and repairing a disagreement. */
  async #reconciled(key: string, nowMs: number): Promise<ScopeState> {
    const keys = this.#context.scope(key);
    let state = await readState(this.#context, keys, nowMs);
    if (state.expired > 0) {
      while ((await sweepScope(this.#context, key)).more);
      state = await readState(this.#context, keys, nowMs);
    }
    if (state.stored !== state.indexed) {
      await this.#repair(key, state.indexed > state.stored);
      state = await readState(this.#context, keys, nowMs);
    }
    return state;
  }

  /** Repairs a scope once at a time in this process: concurrent readers wait for the same repair. */
  #repair(key: string, rebuild: boolean): Promise<number> {
    let repair = this.#repairs.get(key);
    if (repair === undefined) {
      repair = repairScope(this.#context, key, { rebuild }).finally(() => this.#repairs.delete(key));
      this.#repairs.set(key, repair);
    }
    return repair;
  }

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    if (id === undefined) {
      const removed = await deleteScope(this.#context, key);
      await this.#unindexIfEmpty([key]);
      await this.#announce(removed.map((each): [string, string] => [key, each]));
      return;
    }
    checkNonEmptyString('id', id);
    await deleteRecord(this.#context, key, id);
    await this.#unindexIfEmpty([key]);
  }

  /** Publishes deletions as changes: a viewer's `find()` then returns null and it drops the record. */
  async #announce(records: readonly [scopeKey: string, id: string][]): Promise<void> {
    if (!this.#publish || records.length === 0) return;
    const changes = records.map(([scope, id]) => ({ scope, id }));
    await this.#redis.publish(this.keys.changes, JSON.stringify(changes));
  }

  /** Scopes newest activity first, each with its counts from its counters (O(1) per scope). */
  async scopes(query?: ScopesQuery): Promise<ScopesPage> {
    const { prefix, after, limit } = normalizeScopesQuery(query);
    const entries = (await this.#scopeEntries(prefix, after, limit + 1)).slice(0, limit + 1);
    const nowMs = this.#now();
    const counts = new Map<string, StatusCounts>();
    await Promise.all(
      entries.slice(0, limit).map(async ([key]) => counts.set(key, (await this.#reconciled(key, nowMs)).counts)),
    );
    return toPage(entries, limit, (key) => counts.get(key) ?? emptyCounts());
  }

  async #scopeEntries(prefix: string, after: ScopeCursor | null, want: number): Promise<[string, number][]> {
    if (prefix === '') return this.#walkActivity(() => true, after, want);
    const min = `[${prefix}`;
    // 0xff never occurs in UTF-8, so it sorts after every key that starts with the prefix.
    const max = Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
    const matching = await this.#bounded('scopes()', this.#redis.zlexcount(this.keys.names, min, max));
    if (matching === 0) return [];
    if (matching > NAME_INDEX_LIMIT) {
      // Dense match: walking the activity index finds a page after ~limit × total / matching entries.
      return this.#walkActivity((key) => key.startsWith(prefix), after, want);
    }
    const keys = await this.#bounded('scopes()', this.#redis.zrangebylex(this.keys.names, min, max));
    const scores =
      keys.length > 0 ? await this.#bounded('scopes()', this.#redis.zmscore(this.keys.scopes, ...keys)) : [];
    const entries: [string, number][] = [];
    keys.forEach((key, index) => {
      const score = scores[index];
      if (score !== null && score !== undefined && isAfter(Number(score), key, after))
        entries.push([key, Number(score)]);
    });
    return entries.sort(compareEntries).slice(0, want);
  }

  /** Reads the activity index newest first, in chunks, keeping `want` entries that pass `keep`. */
  async #walkActivity(
    keep: (key: string) => boolean,
    after: ScopeCursor | null,
    want: number,
  ): Promise<[string, number][]> {
    const found: [string, number][] = [];
    const chunk = Math.max(want * 4, 200);
    const max = after ? String(after.activityMs) : '+inf';
    for (let offset = 0; found.length < want; offset += chunk) {
      const flat = await this.#bounded(
        'scopes()',
        this.#redis.zrevrangebyscore(this.keys.scopes, max, '-inf', 'WITHSCORES', 'LIMIT', offset, chunk),
      );
      for (let i = 0; i + 1 < flat.length && found.length < want; i += 2) {
        const key = flat[i] as string;
        const activityMs = Number(flat[i + 1]);
        if (keep(key) && isAfter(activityMs, key, after)) found.push([key, activityMs]);
      }
      if (flat.length < chunk * 2) break;
    }
    return found;
  }

  /**
   * Removes records past their `expires_at`, oldest scopes first, about `limit` per call, from
   * the expiry indexes: no keyspace scan. Writes call it at most once per `sweepIntervalMs`.
   * Returns how many records it removed.
   */
  sweep(limit = SWEEP_BATCH): Promise<number> {
    return sweepDue(this.#context, limit);
  }

  /** Drops scopes whose hash is gone from the listing indexes. */
  async #unindexIfEmpty(keys: readonly string[]): Promise<void> {
    const exists = await Promise.all(keys.map((key) => this.#redis.exists(this.keys.scope(key))));
    const gone = keys.filter((_, index) => exists[index] === 0);
    if (gone.length === 0) return;
    const args = gone.flatMap((key) => [key, '', '', '1']);
    // Score '' never equals a stored score: the expiry entry is left to the sweep.
    await SCRIPTS.rehint.run(this.#redis, [this.keys.expiries, this.keys.scopes, this.keys.names], args);
  }

  /**
   * Rebuilds every scope's indexes and counters from the hashes in Redis (written by the Ruby
   * gem, or before the indexes existed), with SCAN, 500 values per script call. An admin task
   * (CLI \`progressrus reindex\`), never a request path. Returns the number of scopes indexed.
   */
  async reindex(): Promise<number> {
    const nodes = this.#redis.isCluster
      ? (this.#redis as Cluster).nodes('master')
      : [this.#redis as Redis];
    const prefix = this.keys.scope('');
    let indexed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(
          cursor,
          'MATCH',
          `${escapeGlob(prefix)}*`,
          'COUNT',
          500,
          'TYPE',
          'hash',
        );
        cursor = next;
        for (const redisKey of keys) {
          const key = redisKey.slice(prefix.length);
          if (key.startsWith(SCOPE_SEPARATOR) || key.length === 0) continue;
          await repairScope(this.#context, key, { rebuild: true });
          indexed += 1;
        }
      } while (cursor !== '0');
    }
    return indexed;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
