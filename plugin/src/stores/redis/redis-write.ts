import type { Cluster } from 'ioredis';
import { decodeRecord, encodeRecord, type WireFormat } from '../../core/codec.js';
import { durationSample, encodeSample } from '../../core/durations.js';
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import { SCOPE_SEPARATOR } from '../../core/scope.js';
import type { WrittenStatus } from '../../core/tick.js';
import type { RedisContext } from './redis-context.js';
import { indexEntry, nameMember, writeLine } from './redis-index.js';
import { keySlot, WRITTEN_STATUSES } from './redis-keys.js';
import { SCRIPTS } from './redis-lua.js';

/** The records of one scope in a batch, and what the global indexes learn of it. */
export interface ScopeBatch {
  readonly key: string;
  readonly records: ProgressRecord[];
  activityMs: number;
  /** The earliest expires_at of the batch's records, or Infinity. */
  expiryMs: number;
}

/**
 * Writes a batch of records (the latest state of each): on a single server one script call
 * for everything; on a Cluster one call for the global indexes (the `{prefix}` slot), then
 * one per slot of the scopes, in parallel. The global entries go first, so a scope is never
 * stored without its entry in the expiry index; a crash between the calls leaves an entry
 * for records not written yet, which the sweep and the listing handle as usual.
 *
 * Not an async function: the records are not kept alive while the call waits for Redis (a
 * whole addBulk's, through all of BullMQ's work), only the arguments built from them.
 */
export function writeRecords(
  context: RedisContext,
  records: readonly ProgressRecord[],
  format: WireFormat,
): Promise<void> {
  const scopes = new Map<string, ScopeBatch>();
  for (const record of records) {
    const key = record.scope.join(SCOPE_SEPARATOR);
    let batch = scopes.get(key);
    if (batch === undefined) {
      batch = newBatch(key);
      scopes.set(key, batch);
    }
    addToBatch(context, batch, record);
  }
  return writeBatches(context, [...scopes.values()], format);
}

/** An empty batch of the scope with this key. */
export function newBatch(key: string): ScopeBatch {
  return { key, records: [], activityMs: 0, expiryMs: Number.POSITIVE_INFINITY };
}

export function addToBatch(context: RedisContext, batch: ScopeBatch, record: ProgressRecord): void {
  batch.records.push(record);
  batch.activityMs = Math.max(batch.activityMs, lastActivity(record)?.getTime() ?? context.now());
  if (record.expiresAt !== null) batch.expiryMs = Math.min(batch.expiryMs, record.expiresAt.getTime());
}

/** Writes the records of these batches (one per scope), as `writeRecords` does; 'n' mode with `insert`. */
export function writeBatches(
  context: RedisContext,
  batches: readonly ScopeBatch[],
  format: WireFormat,
  insert: InsertArgs | null = null,
): Promise<void> {
  const global: string[] = [];
  for (const batch of batches) {
    const expiry = Number.isFinite(batch.expiryMs) ? String(batch.expiryMs) : '';
    global.push(String(batch.activityMs), expiry, batch.key);
  }
  const { keys, redis } = context;
  const globalKeys = [keys.scopes, keys.names, keys.expiries];
  const globalArgs = [String(batches.length), ...global];
  // Completions join their name's figures in the same call (the global slot).
  const completions: string[] = [];
  // One KEYS entry per name, however many of its jobs completed together.
  const durationKeys = new Map<string, number>();
  for (const batch of batches) {
    for (const record of batch.records) {
      const sample = durationSample(record);
      if (!sample) continue;
      const key = keys.durations(record.name, record.queue);
      let index = durationKeys.get(key);
      if (index === undefined) {
        index = globalKeys.push(key);
        durationKeys.set(key, index);
      }
      completions.push(
        String(index),
        String(sample.completedAtMs),
        encodeSample(sample),
        record.expiresAt === null ? '' : String(record.expiresAt.getTime()),
      );
    }
  }
  globalArgs.push(String(completions.length / 4), ...completions);
  if (!redis.isCluster) return runWrite(context, batches, format, globalKeys, globalArgs, insert);
  return writeSlots(context, batches, format, globalKeys, globalArgs, insert);
}

/** On a Cluster: the global indexes first, then one call per slot of the scopes. */
async function writeSlots(
  context: RedisContext,
  scopes: readonly ScopeBatch[],
  format: WireFormat,
  globalKeys: readonly string[],
  globalArgs: readonly string[],
  insert: InsertArgs | null,
): Promise<void> {
  await SCRIPTS.write.run(context.redis, globalKeys, ['w', String(globalKeys.length), '', '', ...globalArgs]);
  const slots = new Map<number, ScopeBatch[]>();
  for (const batch of scopes) {
    const slot = keySlot(context.scope(batch.key).hash);
    const group = slots.get(slot);
    if (group) group.push(batch);
    else slots.set(slot, [batch]);
  }
  await Promise.all([...slots.values()].map((group) => runWrite(context, group, format, [], ['0', '0'], insert)));
}

/**
 * The keys and arguments of a call in the write script's 'n' mode (see WRITE_LUA) for the
 * scopes of the call (block n holds `batches[n - 1]`), and its change message ('' when
 * `publish` is false).
 */
export type InsertArgs = (
  batches: readonly ScopeBatch[],
  publish: boolean,
) => { readonly keys: readonly string[]; readonly args: readonly string[]; readonly message: string };

function runWrite(
  context: RedisContext,
  batches: readonly ScopeBatch[],
  format: WireFormat,
  globalKeys: readonly string[],
  globalArgs: readonly string[],
  insert: InsertArgs | null,
): Promise<void> {
  const keys = [...globalKeys];
  const channel = context.channel;
  let records: readonly (string | number)[];
  let message: string;
  if (insert === null) {
    // 'l' mode: a line per record, all in one argument (see WRITE_LUA).
    const lines: string[] = [];
    // The change message as JSON.stringify would write [{ scope, id }, …], without an object
    // per record: the scope's JSON once per scope.
    const changes: string[] = [];
    batches.forEach((batch, index) => {
      const scope = channel === null ? '' : `{"scope":${JSON.stringify(batch.key)},"id":`;
      for (const record of batch.records) {
        lines.push(writeLine(index + 1, record.id, encodeRecord(record, format), record.name, indexEntry(record)));
        if (channel !== null) changes.push(`${scope}${JSON.stringify(record.id)}}`);
      }
    });
    for (const batch of batches) keys.push(...context.scope(batch.key).block);
    records = [lines.join('\n')];
    message = channel === null ? '' : `[${changes.join(',')}]`;
  } else {
    const call = insert(batches, channel !== null);
    keys.push(...call.keys);
    ({ args: records, message } = call);
  }
  // 'n' never renames (it skips records already there): its records are not kept for it.
  const written = insert === null ? batches : null;
  const call = SCRIPTS.write.run(context.redis, keys, [
    insert === null ? 'l' : 'n',
    String(globalKeys.length),
    channel ?? '',
    message,
    ...globalArgs,
    ...records,
  ]);
  return call.then(async (renamed) => {
    if (written !== null && (renamed as string[]).length > 0) await removeOldNames(context, written, renamed as string[]);
  });
}

/**
 * Removes the name member a record had before it was written under another name (the write
 * script reports those). A reader skips such a member meanwhile: its record's name differs.
 */
export async function removeOldNames(
  context: RedisContext,
  batches: readonly { key: string }[],
  renamed: readonly string[],
): Promise<void> {
  const removals: Promise<unknown>[] = [];
  for (let i = 0; i + 3 < renamed.length; i += 4) {
    const batch = batches[Number(renamed[i]) - 1];
    const id = renamed[i + 1] as string;
    const status = WRITTEN_STATUSES[Number(renamed[i + 3]) - 1];
    if (batch === undefined || status === undefined) continue;
    let old: ProgressRecord;
    try {
      old = decodeRecord(renamed[i + 2] as string, batch.key, id);
    } catch {
      continue;
    }
    const set = context.scope(batch.key).sorted(status, 'name');
    removals.push(removeUnlessCurrent(context, batch.key, set, nameMember(old.name, id), id, status));
  }
  await Promise.all(removals);
}

/** ZREM of an old name member, unless the record's current name makes it its member again. */
async function removeUnlessCurrent(
  context: RedisContext,
  scopeKey: string,
  set: string,
  member: string,
  id: string,
  status: WrittenStatus,
): Promise<void> {
  const raw = await context.redis.hget(context.scope(scopeKey).hash, id);
  if (raw !== null) {
    try {
      const entry = indexEntry(decodeRecord(raw, scopeKey, id));
      if (entry.member === member && WRITTEN_STATUSES[entry.status - 1] === status) return;
    } catch {
      // A malformed value has no name member: the old one goes.
    }
  }
  await (context.redis as Cluster).zrem(set, member);
}
