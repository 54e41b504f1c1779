import { decodeRecord } from '../../core/codec.js';
import { MalformedRecordError } from '../../core/errors.js';
import type { RedisContext } from './redis-context.js';
import { nameMember } from './redis-index.js';
import { SCRIPTS } from './redis-lua.js';

/** Records per remove call of the sweep. */
export const SWEEP_BATCH = 500;
/** Scopes per read of the global expiry index. */
const SWEEP_SCOPES = 100;
/** A delete retries this often when the record keeps changing between its read and the script. */
const DELETE_ATTEMPTS = 10;

interface ScopeSweep {
  readonly removed: number;
  /** The scope's earliest expiry left, '' when none. */
  readonly hint: string;
  /** Whether a full batch was due: more may be. */
  readonly more: boolean;
}

/**
 * Removes up to 500 expired records of one scope. Each record is read and decoded first: the
 * remove script deletes it only while it is stored exactly as read, so a record rewritten
 * after it expired is never deleted; one whose stored `expires_at` is later than its index
 * entry (a program that only HSETs, like the Ruby gem, rewrote it) gets its entry moved.
 */
export async function sweepScope(context: RedisContext, scopeKey: string): Promise<ScopeSweep> {
  const { redis } = context;
  const keys = context.scope(scopeKey);
  const nowMs = context.now();
  const due = (await SCRIPTS.due.run(redis, keys.block, [String(nowMs), String(SWEEP_BATCH)])) as (string | null)[];
  if (due.length === 0) {
    const [, hints] = (await SCRIPTS.remove.run(redis, keys.block, ['', ''])) as [string[], string[]];
    return { removed: 0, hint: hints[1] ?? '', more: false };
  }
  const ids: string[] = [];
  const values: (string | null)[] = [];
  for (let i = 0; i + 1 < due.length; i += 2) {
    ids.push(due[i] as string);
    values.push(due[i + 1] ?? null);
  }
  const args: string[] = [];
  const changes: { scope: string; id: string }[] = [];
  ids.forEach((id, index) => {
    const raw = values[index] ?? null;
    if (raw === null) {
      args.push('1', id, 'd', '', '');
      return;
    }
    try {
      const record = decodeRecord(raw, scopeKey, id);
      if (record.expiresAt !== null && record.expiresAt.getTime() <= nowMs) {
        args.push('1', id, 'd', raw, nameMember(record.name, id));
        changes.push({ scope: scopeKey, id });
      } else {
        args.push('1', id, 'x', raw, record.expiresAt === null ? '' : String(record.expiresAt.getTime()));
      }
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      args.push('1', id, 'b', raw, '');
    }
  });
  const [removed, hints] = (await SCRIPTS.remove.run(redis, keys.block, [
    context.channel ?? '',
    JSON.stringify(changes),
    ...args,
  ])) as [string[], string[]];
  return { removed: removed.length / 2, hint: hints[1] ?? '', more: ids.length >= SWEEP_BATCH };
}

/**
 * Removes records past their `expires_at`, at most about `limit` per call, visiting the scopes
 * the global expiry index says are due: no keyspace scan. Returns how many it removed.
 */
export async function sweepDue(context: RedisContext, limit: number): Promise<number> {
  const { redis, keys } = context;
  const due = await redis.zrangebyscore(keys.expiries, '-inf', String(context.now()), 'WITHSCORES', 'LIMIT', 0, SWEEP_SCOPES);
  let removed = 0;
  const rehint: string[] = [];
  for (let i = 0; i + 1 < due.length && removed < limit; i += 2) {
    const scopeKey = due[i] as string;
    let sweep: ScopeSweep;
    do {
      sweep = await sweepScope(context, scopeKey);
      removed += sweep.removed;
    } while (sweep.more && removed < limit);
    const gone = (await redis.exists(context.scope(scopeKey).hash)) === 0;
    rehint.push(scopeKey, due[i + 1] as string, sweep.hint, gone ? '1' : '0');
  }
  if (rehint.length > 0) await SCRIPTS.rehint.run(redis, [keys.expiries, keys.scopes, keys.names], rehint);
  return removed;
}

/** Deletes one record with its index entries, retrying while it changes between read and delete. */
export async function deleteRecord(context: RedisContext, scopeKey: string, id: string): Promise<void> {
  const keys = context.scope(scopeKey);
  const message = JSON.stringify([{ scope: scopeKey, id }]);
  for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt += 1) {
    const raw = await context.redis.hget(keys.hash, id);
    let member = '';
    if (raw !== null) {
      try {
        member = nameMember(decodeRecord(raw, scopeKey, id).name, id);
      } catch (error) {
        if (!(error instanceof MalformedRecordError)) throw error;
      }
    }
    const [removed] = (await SCRIPTS.remove.run(context.redis, keys.block, [
      context.channel ?? '',
      message,
      '1',
      id,
      'd',
      raw ?? '',
      member,
    ])) as [string[], string[]];
    if (raw === null || removed.length > 0) return;
  }
}

/** Deletes a scope's hash and every index key of it with one DEL (one slot: atomic). Returns the ids it held when publishing. */
export async function deleteScope(context: RedisContext, scopeKey: string): Promise<string[]> {
  const keys = context.scope(scopeKey);
  // The ids are read first so that live viewers learn of each record that goes.
  const ids = context.channel === null ? [] : await context.redis.hkeys(keys.hash);
  await context.redis.del(...keys.block);
  return ids;
}
