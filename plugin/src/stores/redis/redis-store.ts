import {
  DURATION_SAMPLES,
  type DurationSample,
  decodeSample,
  durationSample,
  encodeSample,
  summarize,
  type TypicalDuration,
} from '../../core/durations.js';
import type { Cluster, Redis } from 'ioredis';
import { encodeRecord, isWireFormat, type WireFormat } from '../../core/codec.js';
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
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import { readRecord, readRecords, warnMalformed } from '../read-records.js';
import { RedisBatch } from './redis-batch.js';
import { boundedRead, type ReadContext } from './bounded-read.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../../core/scope.js';
import { compareEntries, isAfter, normalizeScopesQuery, toPage } from '../scope-page.js';
import type { ScopesPage, ScopesQuery, Store, StoreOptions } from '../store.js';
import type { Tick } from '../../core/tick.js';
import {
  countByStatus,
  countsTotal,
  emptyCounts,
  type JobsPage,
  type JobsQuery,
  normalizeJobsQuery,
  type StatusCounts,
} from '../job-query.js';
import { pageTicksInterim } from './redis-jobs-interim.js';

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
   * them go to Redis as one MULTI. 0 sends at the end of the current turn. @default 5
   */
  readonly batchMs?: number;
  /**
   * How long a read (`find`, `scope`, `scopes`) waits for each Redis command before it fails
   * with a `StoreError` naming the store: while Redis is down, ioredis would otherwise queue the
   * command and retry it for a long time (forever on a connection with
   * `maxRetriesPerRequest: null`). 0 waits as long as ioredis does. Writes are not bounded
   * here: a Progresser retries them. @default 5000
   */
  readonly readTimeoutMs?: number;
}

/** A prefix filter matching fewer scopes than this is served from the name index, else by walking the activity index. */
const NAME_INDEX_LIMIT = 2000;
const SWEEP_BATCH = 500;
/** At most this many batches per write-triggered sweep: a backlog of millions drains over several. */
const MAX_SWEEP_ROUNDS = 100;

/**
 * The Redis store: one hash per scope in the Ruby gem's layout, plus the indexes that list
 * scopes by activity and expire records one by one (see redis-keys.ts).
 *
 * Writes made within `batchMs` of each other — say, by 50 concurrent jobs — go to Redis
 * together: one MULTI round trip on a single server; on a Cluster, three short stages (index
 * entries, records, change messages; see RedisBatch and the README).
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
  readonly #read: ReadContext;
  #lastSweepMs = 0;
  #sweeping = false;
  // Records waiting for the next batch, latest write per record wins.
  #pending = new Map<string, ProgressRecord>();
  #pendingWritten: Promise<void> | null = null;

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
    this.#read = {
      store: `RedisStore ${JSON.stringify(prefix)}`,
      status: () => connection.status,
      timeoutMs: checkInteger('readTimeoutMs', options.readTimeoutMs ?? 5000, 0),
    };
  }

  /** One Redis command of a read: bounded by `readTimeoutMs`, failing with a `StoreError`. */
  #bounded<T>(operation: string, command: Promise<T>): Promise<T> {
    return boundedRead(command, operation, this.#read);
  }

  persist(record: ProgressRecord): Promise<void> {
    this.#pending.set(`${record.scope.join(SCOPE_SEPARATOR)}\n${record.id}`, record);
    // Never a microtask: concurrent jobs tick in different microtasks of one turn. The timer is
    // not unref'd, so a final write is sent even when nothing else keeps the process alive.
    this.#pendingWritten ??= new Promise<void>((resolve) =>
      this.#batchMs === 0 ? setImmediate(resolve) : setTimeout(resolve, this.#batchMs),
    ).then(() => this.#writeBatch());
    return this.#pendingWritten;
  }

  async #writeBatch(): Promise<void> {
    const records = [...this.#pending.values()];
    this.#pending = new Map();
    this.#pendingWritten = null;
    // One command per kind and key, however many records: 50 jobs finishing in one turn cost
    // one HSET per scope, three ZADDs and one PUBLISH, not five commands each.
    const activity = new Map<string, number>();
    const fields = new Map<string, string[]>();
    const expiring: (string | number)[] = [];
    const kept: string[] = [];
    const changes: { scope: string; id: string }[] = [];
    for (const record of records) {
      const key = record.scope.join(SCOPE_SEPARATOR);
      const member = JSON.stringify([key, record.id]);
      if (record.expiresAt) expiring.push(record.expiresAt.getTime(), member);
      else kept.push(member);
      const activityMs = lastActivity(record)?.getTime() ?? this.#now();
      activity.set(key, Math.max(activityMs, activity.get(key) ?? 0));
      let hash = fields.get(key);
      if (!hash) fields.set(key, (hash = []));
      hash.push(record.id, encodeRecord(record, this.#format));
      changes.push({ scope: key, id: record.id });
    }
    // On a Cluster the stages run in order: index entries first, so a record is never stored
    // without its expiry entry; the change message last, so a viewer reads the new state.
    const batch = new RedisBatch();
    if (expiring.length > 0) batch.add('zadd', this.keys.expiries, ...expiring);
    if (kept.length > 0) batch.add('zrem', this.keys.expiries, ...kept);
    const byActivity: (string | number)[] = [];
    const names: (string | number)[] = [];
    for (const [key, activityMs] of activity) {
      byActivity.push(activityMs, key);
      names.push(0, key);
    }
    batch.add('zadd', this.keys.scopes, 'GT', ...byActivity);
    batch.add('zadd', this.keys.names, 'NX', ...names);
    // Completions join their name's figures in the same round trip (one slot: the index tag).
    for (const record of records) {
      const sample = durationSample(record);
      if (!sample) continue;
      const key = this.keys.durations(record.name, record.queue);
      batch.add('zadd', key, sample.completedAtMs, encodeSample(sample));
      batch.add('zremrangebyrank', key, 0, -(DURATION_SAMPLES + 1));
      if (record.expiresAt) batch.add('pexpireat', key, record.expiresAt.getTime(), 'GT');
    }
    batch.stage();
    for (const [key, hash] of fields) batch.add('hset', this.keys.scope(key), ...hash);
    if (this.#publish) batch.stage().add('publish', this.keys.changes, JSON.stringify(changes));
    await batch.exec(this.#redis);
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

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    let removed: string[];
    if (id === undefined) {
      // The ids are read first so that live viewers learn of each record that goes.
      removed = this.#publish ? await this.#redis.hkeys(this.keys.scope(key)) : [];
      await this.#redis.del(this.keys.scope(key));
    } else {
      checkNonEmptyString('id', id);
      await this.#redis.hdel(this.keys.scope(key), id);
      removed = [id];
    }
    await this.#unindexIfEmpty([key]);
    await this.#announce(removed.map((each): [string, string] => [key, each]));
  }

  /** Publishes deletions as changes: a viewer's `find()` then returns null and it drops the record. */
  async #announce(records: readonly [scopeKey: string, id: string][]): Promise<void> {
    if (!this.#publish || records.length === 0) return;
    const changes = records.map(([scope, id]) => ({ scope, id }));
    await this.#redis.publish(this.keys.changes, JSON.stringify(changes));
  }

  async typicalDuration(name: string, queue: string | null = null): Promise<TypicalDuration | null> {
    const flat = await this.#bounded(
      'typicalDuration()',
      this.#redis.zrange(this.keys.durations(name, queue), '0', '-1', 'WITHSCORES'),
    );
    const samples: DurationSample[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const sample = decodeSample(flat[i] as string, Number(flat[i + 1]));
      if (sample) samples.push(sample);
    }
    return summarize(name, queue, samples);
  }

  async jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    const normalized = normalizeJobsQuery(query);
    // TEMPORARY (#12): a whole-scope read until helper "redis" lands the per-scope indexes.
    return pageTicksInterim(await this.scope(scope), normalized);
  }

  async scopes(query?: ScopesQuery): Promise<ScopesPage> {
    const page = await this.#scopesPage(query);
    // TEMPORARY (#12): counts by reading each listed scope until helper "redis" lands its counters.
    const counts = new Map<string, StatusCounts>();
    await Promise.all(
      page.items.map(async (entry) =>
        counts.set(entry.key, countByStatus(await this.scope(entry.scope))),
      ),
    );
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((entry) => {
        const each = counts.get(entry.key) ?? emptyCounts();
        return { ...entry, counts: each, total: countsTotal(each) };
      }),
    };
  }

  async #scopesPage(query?: ScopesQuery): Promise<ScopesPage> {
    const { prefix, after, limit } = normalizeScopesQuery(query);
    if (prefix === '')
      return toPage(await this.#walkActivity(() => true, after, limit + 1), limit, emptyCounts);
    const min = `[${prefix}`;
    // 0xff never occurs in UTF-8, so it sorts after every key that starts with the prefix.
    const max = Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
    const matching = await this.#bounded(
      'scopes()',
      this.#redis.zlexcount(this.keys.names, min, max),
    );
    if (matching === 0) return { items: [], nextCursor: null };
    if (matching > NAME_INDEX_LIMIT) {
      // Dense match: walking the activity index finds a page after ~limit × total / matching entries.
      return toPage(
        await this.#walkActivity((key) => key.startsWith(prefix), after, limit + 1),
        limit,
        emptyCounts,
      );
    }
    const keys = await this.#bounded(
      'scopes()',
      this.#redis.zrangebylex(this.keys.names, min, max),
    );
    const scores =
      keys.length > 0
        ? await this.#bounded('scopes()', this.#redis.zmscore(this.keys.scopes, ...keys))
        : [];
    const entries: [string, number][] = [];
    keys.forEach((key, index) => {
      const score = scores[index];
      if (score !== null && score !== undefined && isAfter(Number(score), key, after))
        entries.push([key, Number(score)]);
    });
    return toPage(entries.sort(compareEntries).slice(0, limit + 1), limit, emptyCounts);
  }

  /** Reads the activity index newest first, in chunks, keeping `want` entries that pass `keep`. */
  async #walkActivity(
    keep: (key: string) => boolean,
    after: { activityMs: number; key: string } | null,
    want: number,
  ): Promise<[string, number][]> {
    const found: [string, number][] = [];
    const chunk = Math.max(want * 4, 200);
    const max = after ? String(after.activityMs) : '+inf';
    for (let offset = 0; found.length < want; offset += chunk) {
      const flat = await this.#bounded(
        'scopes()',
        this.#redis.zrevrangebyscore(
          this.keys.scopes,
          max,
          '-inf',
          'WITHSCORES',
          'LIMIT',
          offset,
          chunk,
        ),
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
   * Removes records past their `expires_at`, oldest first, at most `limit` per call, from the
   * expiry index: no keyspace scan. Writes call it at most once per `sweepIntervalMs`.
   * Returns how many records it removed.
   */
  async sweep(limit = SWEEP_BATCH): Promise<number> {
    const due = await this.#redis.zrangebyscore(
      this.keys.expiries,
      '-inf',
      this.#now(),
      'LIMIT',
      0,
      limit,
    );
    if (due.length === 0) return 0;
    const batch = new RedisBatch();
    const touched = new Set<string>();
    const removed: [string, string][] = [];
    for (const member of due) {
      const entry = parseExpiryMember(member);
      // A member we did not write is only dropped: it must not stall the sweep forever.
      if (entry === null) continue;
      const [key, id] = entry;
      batch.add('hdel', this.keys.scope(key), id);
      touched.add(key);
      removed.push([key, id]);
    }
    // The record goes before its expiry entry, so a failure halfway leaves it to the next sweep.
    batch.stage().add('zrem', this.keys.expiries, ...due);
    await batch.exec(this.#redis);
    await this.#unindexIfEmpty([...touched]);
    await this.#announce(removed);
    return due.length;
  }

  /** Drops scopes whose hash is gone from both indexes. */
  async #unindexIfEmpty(keys: readonly string[]): Promise<void> {
    const exists = await Promise.all(keys.map((key) => this.#redis.exists(this.keys.scope(key))));
    const gone = keys.filter((_, index) => exists[index] === 0);
    if (gone.length === 0) return;
    await new RedisBatch()
      .add('zrem', this.keys.scopes, ...gone)
      .add('zrem', this.keys.names, ...gone)
      .exec(this.#redis);
  }

  /**
   * Rebuilds the scope and expiry indexes from the hashes already in Redis (written by the
   * Ruby gem, or before the indexes existed), with SCAN. An admin task, never a request path.
   * Returns the number of scopes indexed.
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
          await this.#indexScope(key);
          indexed += 1;
        }
      } while (cursor !== '0');
    }
    return indexed;
  }

  async #indexScope(key: string): Promise<void> {
    const hash = await this.#redis.hgetall(this.keys.scope(key));
    // Expired records are indexed too, so the sweep removes them.
    const ticks = readRecords(key, Object.entries(hash), 0, this.#onMalformed);
    const batch = new RedisBatch();
    let activityMs = 0;
    for (const tick of ticks) {
      activityMs = Math.max(activityMs, lastActivity(tick)?.getTime() ?? 0);
      if (tick.expiresAt)
        batch.add(
          'zadd',
          this.keys.expiries,
          tick.expiresAt.getTime(),
          JSON.stringify([key, tick.id]),
        );
    }
    batch.add('zadd', this.keys.scopes, 'GT', activityMs || this.#now(), key);
    batch.add('zadd', this.keys.names, 'NX', 0, key);
    await batch.exec(this.#redis);
  }
}

function parseExpiryMember(member: string): [key: string, id: string] | null {
  try {
    const entry: unknown = JSON.parse(member);
    if (
      Array.isArray(entry) &&
      entry.length === 2 &&
      entry.every((part) => typeof part === 'string' && part.length > 0)
    ) {
      return entry as [string, string];
    }
  } catch {}
  return null;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
