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
  for (const record of records) {
    const shared = sharedEntry(record);
    const key = sharedFields(shared).join('\0');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { shared, records: [record] });
    else group.records.push(record);
  }
  const calls: Promise<void>[] = [];
  for (const { shared, records: grouped } of groups.values()) {
    for (let start = 0; start < grouped.length; start += CALL_SIZE) {
      calls.push(writeRecords(context, grouped.slice(start, start + CALL_SIZE), format, shared));
    }
  }
  await Promise.all(calls);
}
