import { decodeRecord } from '../../core/codec.js';
import { MalformedRecordError } from '../../core/errors.js';
import { lastActivity, type ProgressRecord } from '../../core/record.js';
import type { RedisContext } from './redis-context.js';
import { indexEntry, pushWriteFields } from './redis-index.js';
import { SCRIPTS } from './redis-lua.js';
import { removeOldNames } from './redis-write.js';

/** Values per HSCAN step and per script call: each call is short, so Redis is never held for long. */
const REPAIR_CHUNK = 500;

/**
 * Brings a scope's indexes and counters in line with its hash, for values another program
 * wrote (the Ruby gem only HSETs the hash) or removed (its `flush` DELs the hash). Walks the
 * hash with HSCAN, 500 values per step, and indexes each value only while it is still stored
 * as read (mode 'i' of the write script), so writes going on meanwhile stay exact. When the
 * indexes hold more than the hash (records deleted behind their back), they are dropped first
 * and rebuilt. Returns how many values it read.
 */
export async function repairScope(
  context: RedisContext,
  scopeKey: string,
  options: { readonly rebuild: boolean },
): Promise<number> {
  const { redis } = context;
  const keys = context.scope(scopeKey);
  // One DEL of the index keys, all in the scope's slot: atomic, so no write sees half of them.
  if (options.rebuild) await redis.del(...keys.block.slice(1));
  let cursor = '0';
  let read = 0;
  let activityMs = 0;
  let expiryMs = Number.POSITIVE_INFINITY;
  do {
    const [next, flat] = await redis.hscan(keys.hash, cursor, 'COUNT', REPAIR_CHUNK);
    cursor = next;
    const writes: (string | number)[] = [];
    const bad: string[] = [];
    const decoded: ProgressRecord[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const id = flat[i] as string;
      const raw = flat[i + 1] as string;
      read += 1;
      let record: ProgressRecord;
      try {
        record = decodeRecord(raw, scopeKey, id);
      } catch (error) {
        if (!(error instanceof MalformedRecordError)) throw error;
        context.onMalformed(error);
        bad.push('1', id, 'b', raw, '');
        continue;
      }
      decoded.push(record);
      pushWriteFields(writes, 1, id, raw, indexEntry(record));
      activityMs = Math.max(activityMs, lastActivity(record)?.getTime() ?? 0);
      if (record.expiresAt !== null) expiryMs = Math.min(expiryMs, record.expiresAt.getTime());
    }
    if (writes.length > 0) {
      const renamed = (await SCRIPTS.write.run(redis, keys.block, ['i', '0', '', '', '0', '0', ...writes])) as string[];
      if (renamed.length > 0) await removeOldNames(context, [{ key: scopeKey }], renamed);
    }
    if (bad.length > 0) await SCRIPTS.remove.run(redis, keys.block, ['', '', ...bad]);
  } while (cursor !== '0');
  if (read > 0) {
    const expiry = Number.isFinite(expiryMs) ? String(expiryMs) : '';
    await SCRIPTS.write.run(redis, [context.keys.scopes, context.keys.names, context.keys.expiries], [
      'w',
      '3',
      '',
      '',
      '1',
      String(activityMs || context.now()),
      expiry,
      scopeKey,
      '0',
    ]);
  }
  return read;
}
