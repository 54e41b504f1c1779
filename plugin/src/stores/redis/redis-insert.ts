import type { WireFormat } from '../../core/codec.js';
import type { ProgressRecord } from '../../core/record.js';
import type { RedisContext } from './redis-context.js';
import { type SharedEntry, sharedEntry, sharedFields } from './redis-index.js';
import { writeRecords } from './redis-write.js';

/**
 * Records per script call: a call blocks the server while it runs, and BullMQ's own commands
 * (the `addBulk` these records go with) should get their turns in between.
 */
const CALL_SIZE = 1000;

/**
 * Writes each record unless its scope holds a record with its id already (the write script's
 * 'n' mode), for the `queued` records of `ProgressQueue`: written while BullMQ adds the jobs,
 * a worker's write that lands first stands. Records are grouped by the index fields they
 * share, sent once per call (the records of one `addBulk` share all of them but the id).
 */
export async function insertRecords(
  context: RedisContext,
  records: readonly ProgressRecord[],
  format: WireFormat,
): Promise<void> {
  const groups = new Map<string, { shared: SharedEntry; records: ProgressRecord[] }>();
  let previous: { record: ProgressRecord; records: ProgressRecord[] } | null = null;
  for (const record of records) {
    // The records of one addBulk follow each other with the same inputs (the same Dates):
    // they join the previous record's group without computing its entry again.
    if (previous !== null && sameEntryInputs(previous.record, record)) {
      previous.records.push(record);
      continue;
    }
    const shared = sharedEntry(record);
    const key = sharedFields(shared).join('\0');
    let group = groups.get(key);
    if (group === undefined) {
      group = { shared, records: [] };
      groups.set(key, group);
    }
    group.records.push(record);
    previous = { record, records: group.records };
  }
  const calls: Promise<void>[] = [];
  for (const { shared, records: grouped } of groups.values()) {
    for (let start = 0; start < grouped.length; start += CALL_SIZE) {
      calls.push(writeRecords(context, grouped.slice(start, start + CALL_SIZE), format, shared));
    }
  }
  await Promise.all(calls);
}

/** Whether two records have the same inputs to `sharedEntry` (see indexEntry, lastActivity, stalledAt). */
function sameEntryInputs(a: ProgressRecord, b: ProgressRecord): boolean {
  return (
    a.name === b.name &&
    a.state === b.state &&
    a.count === b.count &&
    a.total === b.total &&
    a.intervalMs === b.intervalMs &&
    sameTime(a.startedAt, b.startedAt) &&
    sameTime(a.updatedAt, b.updatedAt) &&
    sameTime(a.completedAt, b.completedAt) &&
    sameTime(a.failedAt, b.failedAt) &&
    sameTime(a.expiresAt, b.expiresAt)
  );
}

function sameTime(a: Date | null, b: Date | null): boolean {
  return a === b || (a !== null && b !== null && a.getTime() === b.getTime());
}
