import { durationKey } from '../../core/durations.js';
import { expected } from '../../core/errors.js';
import { STATUSES } from '../../core/record.js';
import type { WrittenStatus } from '../../core/tick.js';
import type { JobSort } from '../job-query.js';

/**
 * Every Redis key of a RedisStore, built in one place.
 *
 * Global (hash tag `{<prefix>}`, one slot on a Cluster):
 * - `{<prefix>}::scopes`    sorted set; member = scope key, score = last activity (ms).
 * - `{<prefix>}::names`     sorted set, all scores 0; member = scope key; serves prefix filters.
 * - `{<prefix>}::expiries`  sorted set; member = scope key, score = a time at or before the
 *                           scope's earliest `expires_at` (ms): which scopes the sweep visits.
 * - `<prefix>::changes`     pub/sub channel; one message per write batch: a JSON array of { scope, id }.
 * - `{<prefix>}::durations:<JSON [queue, name]>`  sorted set of the last completions of a job
 *                           name; member = "ms<TAB>items<TAB>id", score = completed_at (ms).
 *                           Expires with the newest completed record.
 *
 * Per scope, all in the slot of the scope's hash (see `ScopeKeys`):
 * - `<prefix>:<scope key>`  hash; field = record id, value = record JSON. The Ruby gem's layout.
 * - `<tag>c`                hash: per written status, the records indexed with it; and per
 *                           status its pattern: `d:<status>` = expires_at − updatedAt (ms, or
 *                           `none`), `i:<status>` = the write interval (live statuses).
 * - `<tag>z:<status>:<sort>` sorted sets per written status (10) × sort: `u` updatedAt, `s`
 *                           startedAt, `p` percentage (member = id, score = the sort key, -inf
 *                           when missing), `n` name (score 0, member = collation key NUL id),
 *                           and `v`: updatedAt of the irregular records (below).
 * - `<tag>x`                sorted set; member = id, score = expires_at (ms): irregular records only.
 * - `<tag>t:<status>`       sorted set per live status (started, running); member = id, score =
 *                           stall time (`Tick.stalledAt`, +inf when it never stalls): every
 *                           irregular record of the status, so the running and the stalled
 *                           ones are ranges of it.
 * - `<tag>b`                set of ids whose value could not be decoded (counted, never listed).
 *
 * A record is regular when its status's pattern fits it: it expires at updatedAt + `d`, and
 * (live) stalls at updatedAt + 3 × `i`. Records written by the same writers share their
 * retention and interval, so nearly all are regular and need no expiry or stall entry of
 * their own (an entry costs ~110 B): their expiry and stall times are ranges of the `u` set
 * (ZCOUNT `u` up to now − 3 × i counts the stalled). The others go to `v`, `x` and `t`.

 * Scope parts are never empty, so no scope key can start with ':' and no scope's hash can be
 * an index key or the channel.
 */
export interface RedisKeys {
  /** The scope's hash: the Ruby gem's key. */
  scope(scopeKey: string): string;
  /** Every key of one scope. */
  of(scopeKey: string): ScopeKeys;
  readonly scopes: string;
  readonly names: string;
  readonly expiries: string;
  readonly changes: string;
  /** The completions of one job name and queue (see `core/durations.ts`). */
  durations(name: string, queue: string | null): string;
}

/** The statuses a record is indexed under: every status but `stalled`, which is derived at read time. */
export const WRITTEN_STATUSES: readonly WrittenStatus[] = STATUSES.filter(
  (status): status is WrittenStatus => status !== 'stalled',
);
/** The sorted sets of each status in a scope's key block (Lua indexes them from 1): u, s, p, n, v. */
export const SET_CODES = ['u', 's', 'p', 'n', 'v'] as const;
const SORT_CODES: Readonly<Record<JobSort, string>> = {
  updatedAt: 'u',
  startedAt: 's',
  percentage: 'p',
  name: 'n',
};
/** Keys of a scope's block before its sorted sets: hash, counts, expiries, bad, two stall indexes. */
export const BLOCK_HEAD = 6;
export const BLOCK_SIZE = BLOCK_HEAD + WRITTEN_STATUSES.length * SET_CODES.length;

/**
 * The keys of one scope. `block` lists them in the order the Lua scripts expect (see
 * redis-lua.ts): hash, counts, expiries, bad, stall:started, stall:running, then for each
 * of WRITTEN_STATUSES its sets in the order of SET_CODES.
 */
export interface ScopeKeys {
  readonly hash: string;
  readonly counts: string;
  readonly expiries: string;
  readonly bad: string;
  readonly block: readonly string[];
  /**
   * The block of a write whose records all have one status (the write script's 'n' mode):
   * the head of `block` and the 5 sets of that status (1-based, as in WRITTEN_STATUSES).
   */
  blockOf(status: number): readonly string[];
  /** What the counts need after a page read (see PAGE_WITH_COUNTS_LUA): the block's head, then each status's u set. */
  readonly countKeys: readonly string[];
  stall(status: 'started' | 'running'): string;
  /** The set a sort reads for a status; for updatedAt, also `irregular(status)`. */
  sorted(status: WrittenStatus, sort: JobSort): string;
  /** The updatedAt set of the status's irregular records. */
  irregular(status: WrittenStatus): string;
}

export function redisKeys(prefix: string): RedisKeys {
  // `{}x}` would be an empty hash tag, which Redis ignores: the index keys would scatter.
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.startsWith('}')) {
    throw expected('prefix', "a non-empty string not starting with '}'", prefix);
  }
  const tag = `{${prefix}}`;
  const scope = (scopeKey: string) => `${prefix}:${scopeKey}`;
  return {
    scope,
    of: (scopeKey) => scopeKeys(scope(scopeKey)),
    scopes: `${tag}::scopes`,
    names: `${tag}::names`,
    expiries: `${tag}::expiries`,
    changes: `${prefix}::changes`,
    durations: (name, queue) => `${tag}::durations:${durationKey(name, queue)}`,
  };
}

function scopeKeys(hash: string): ScopeKeys {
  const base = indexBase(hash);
  const set = (status: WrittenStatus, code: string) => `${base}z:${status}:${code}`;
  const stall = (status: 'started' | 'running') => `${base}t:${status}`;
  const block = [hash, `${base}c`, `${base}x`, `${base}b`, stall('started'), stall('running')];
  for (const status of WRITTEN_STATUSES) for (const code of SET_CODES) block.push(set(status, code));
  const compact: (readonly string[])[] = [];
  return {
    hash,
    counts: block[1] as string,
    expiries: block[2] as string,
    bad: block[3] as string,
    block,
    blockOf(status) {
      const start = BLOCK_HEAD + (status - 1) * SET_CODES.length;
      compact[status] ??= [...block.slice(0, BLOCK_HEAD), ...block.slice(start, start + SET_CODES.length)];
      return compact[status];
    },
    countKeys: [...block.slice(0, BLOCK_HEAD), ...WRITTEN_STATUSES.map((status) => set(status, 'u'))],
    stall,
    sorted: (status, sort) => set(status, SORT_CODES[sort]),
    irregular: (status) => set(status, 'v'),
  };
}

/**
 * The start of a scope's index keys: a hash tag that lands in the slot of the scope's hash.
 *
 * - The hash key has no tag (the usual case, `progressrus:user:3`): Redis hashes it whole, so
 *   `{progressrus:user:3}:` shares its slot, and the tag alone tells scopes apart.
 * - The hash key has a tag (a scope part like `{a}`): Redis hashes the tag's text, so the base
 *   repeats that text as its tag and adds the whole hash key after `#`, which tells apart
 *   scopes whose tags are equal.
 * - The hashed text contains `}` (a key with no tag, like `progressrus:a}b`): it cannot sit
 *   between braces, so the base takes a short stand-in tag of the same slot instead.
 * The three shapes cannot collide: the first is followed by `:`, the others by `#`.
 */
export function indexBase(hash: string): string {
  const part = hashPart(hash);
  if (part.includes('}')) return `{${slotTag(keySlot(hash))}}#${hash}:`;
  return part === hash ? `{${hash}}:` : `{${part}}#${hash}:`;
}

/**
 * The pub/sub channel on which cancel requests for the jobs of one BullMQ queue go to the
 * `ProgressWorker`s of that queue: `<bullmq prefix>:<queue name>:progressrus:cancels`. Named
 * after the queue's own keys, so a worker subscribes only to its queue's requests. Each message
 * is a JSON `{ jobId, id, at }` (at: ms since the epoch).
 */
export function cancelChannel(queuePrefix: string, queueName: string): string {
  return `${queuePrefix}:${queueName}:progressrus:cancels`;
}

/**
 * The sorted set that keeps the cancel requests of one BullMQ queue, so that a worker whose
 * subscription was down when a request was published still finds it:
 * `<bullmq prefix>:<queue name>:progressrus:cancel-requests`, member = BullMQ's job id, score =
 * when the cancel was asked for (ms since the epoch). Requests older than a day are trimmed at
 * each new one, and the whole set expires a day after the last. Named like the channel and the
 * queue's own keys, so it lands in their hash slot whenever the BullMQ prefix has a hash tag.
 */
export function cancelRequestsKey(queuePrefix: string, queueName: string): string {
  return `${queuePrefix}:${queueName}:progressrus:cancel-requests`;
}

/**
 * What Redis Cluster hashes to pick a key's slot: the text between the first `{` and the
 * next `}` when that is non-empty, else the whole key. Keys with equal hash parts share a slot.
 */
export function hashPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

let slotTags: string[] | null = null;

/** A short brace-free text that hashes to `slot`; the table is built once, on first need (~16,000 CRCs). */
function slotTag(slot: number): string {
  if (slotTags === null) {
    const tags: string[] = new Array(16384);
    let missing = 16384;
    for (let n = 0; missing > 0; n += 1) {
      const text = `s${n.toString(36)}`;
      const each = keySlot(text);
      if (tags[each] === undefined) {
        tags[each] = text;
        missing -= 1;
      }
    }
    slotTags = tags;
  }
  return slotTags[slot] as string;
}

/** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash part (UTF-8), modulo 16384. */
export function keySlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(hashPart(key))) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
