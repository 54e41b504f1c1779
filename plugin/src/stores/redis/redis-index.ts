import type { ProgressRecord } from '../../core/record.js';
import { stalledAt, writtenStatus } from '../../core/tick.js';
import { jobSortKey, type JobSortKey, nameCollationKey } from '../job-query.js';
import { WRITTEN_STATUSES } from './redis-keys.js';

/** Where a record goes in its scope's indexes, as the write script takes it (see WRITE_LUA). */
/** Appends the 12 fields of a record to the write script's ARGV. */
export function pushWriteFields(args: (string | number)[], block: number, id: string, value: string, entry: IndexEntry): void {
  args.push(block, id, value, entry.status, entry.updated, entry.started, entry.percentage, entry.member, entry.stall, entry.expiry, entry.delta, entry.interval);
}

/**
 * A record's line in the write script's 'l' mode (see WRITE_LUA): its index fields, the id's
 * and the name collation key's byte lengths, then the id, the key and the value.
 */
export function writeLine(block: number, id: string, value: string, name: string, entry: IndexEntry): string {
  const key = collationKeyOf(name);
  return `${block}\t${entry.status}\t${entry.updated}\t${entry.started}\t${entry.percentage}\t${entry.stall}\t${entry.expiry}\t${entry.delta}\t${entry.interval}\t${Buffer.byteLength(id)}\t${Buffer.byteLength(key)}\t${id}${key}${value}`;
}

export interface IndexEntry {
  /** 1-based, in the order of WRITTEN_STATUSES. */
  readonly status: number;
  readonly updated: string;
  readonly started: string;
  readonly percentage: string;
  /** The member of the name sets. */
  readonly member: string;
  /** Stall time in ms, '' when the record never stalls by itself. */
  readonly stall: string;
  /** expires_at in ms, '' when it never expires. */
  readonly expiry: string;
  /** expires_at − updatedAt score: 'none' without expiry, 'x' when there is no updatedAt score (never regular). */
  readonly delta: string;
  /** The write interval of a live record ('none' when it never stalls by itself); '' for the other statuses. */
  readonly interval: string;
}

const STATUS_NUMBER = new Map(WRITTEN_STATUSES.map((status, index) => [status, index + 1]));

export function indexEntry(record: ProgressRecord): IndexEntry {
  const status = writtenStatus(record);
  const live = status === 'running' || status === 'started';
  const stall = live ? stalledAt(record) : null;
  const updated = jobSortKey(record, 'updatedAt') as number | null;
  return {
    status: STATUS_NUMBER.get(status) as number,
    updated: sortScore(updated),
    started: sortScore(jobSortKey(record, 'startedAt')),
    percentage: sortScore(jobSortKey(record, 'percentage')),
    member: nameMember(record.name, record.id),
    stall: stall === null ? '' : String(stall.getTime()),
    expiry: record.expiresAt === null ? '' : String(record.expiresAt.getTime()),
    // A live record stalls at updatedAt + 3 intervals only when its last activity is its
    // updatedAt (see `stalledAt`); else it is irregular, with its own stall entry.
    delta:
      updated === null || (live && stall !== null && record.updatedAt?.getTime() !== updated)
        ? 'x'
        : record.expiresAt === null
          ? 'none'
          : String(record.expiresAt.getTime() - updated),
    interval: live ? (stall === null ? 'none' : String(record.intervalMs)) : '',
  };
}

/** A numeric sort key as a Redis score: missing values are the lowest (see `jobSortKey`). */
export function sortScore(key: JobSortKey): string {
  return key === null ? '-inf' : String(key);
}

let collationKeys = new Map<string, string>();

/** The member of a name set: the collation key, NUL, the id; so equal names order by id. */
export function nameMember(name: string, id: string): string {
  return `${collationKeyOf(name)}\0${id}`;
}

function collationKeyOf(name: string): string {
  // Jobs of a queue share a few names: the regular expressions run once per name.
  let key = collationKeys.get(name);
  if (key === undefined) {
    if (collationKeys.size >= 10_000) collationKeys = new Map();
    key = nameCollationKey(name);
    collationKeys.set(name, key);
  }
  return key;
}

/**
 * A record's index entry without its id: what the records of one 'n' write call share (see
 * WRITE_LUA), with the name's collation key in place of the member.
 */
export interface SharedEntry extends Omit<IndexEntry, 'member'> {
  readonly nameKey: string;
}

export function sharedEntry(record: ProgressRecord): SharedEntry {
  // Field by field, not `{ ...rest }`: a spread object is a slow one, built once per queued record.
  const { status, updated, started, percentage, stall, expiry, delta, interval } = indexEntry(record);
  const nameKey = collationKeyOf(record.name);
  return { status, updated, started, percentage, nameKey, stall, expiry, delta, interval };
}

/** The shared fields in the order WRITE_LUA reads them. NUL is in none of them: joined by NUL, they make a grouping key. */
export function sharedFields(shared: SharedEntry): string[] {
  const { status, updated, started, percentage, nameKey, stall, expiry, delta, interval } = shared;
  return [String(status), updated, started, percentage, nameKey, stall, expiry, delta, interval];
}

/**
 * The collation key prefixes that every name matching a search prefix (a `nameSearchKey`)
 * starts with, in ascending order, none a prefix of another. A prefix ending in digits may go
 * on with more digits, which the collation pads to other widths: one prefix per width. The
 * prefixes may also match a few names that do not match (a number written with leading
 * zeros), so readers check each name again.
 */
export function namePrefixes(search: string): string[] {
  const digits = /[0-9]+$/.exec(search)?.[0] ?? '';
  if (digits === '') return [nameCollationKey(search)];
  const head = nameCollationKey(search.slice(0, -digits.length));
  if (digits.length >= 20) return [`${head}${digits}`];
  const prefixes: string[] = [];
  for (let width = digits.length; width <= 20; width += 1) {
    prefixes.push(`${head}${'0'.repeat(20 - width)}${digits}`);
  }
  prefixes.sort();
  return prefixes.filter((prefix, index) => index === 0 || !prefixes.slice(0, index).some((kept) => prefix.startsWith(kept)));
}
