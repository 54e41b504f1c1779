import { encodeRecord, type WireFormat } from '../../core/codec.js';
import type { ProgressRecord } from '../../core/record.js';
import { SCOPE_SEPARATOR } from '../../core/scope.js';
import { fitsTemplate, type RecordTemplate, recordTemplate, totalText } from './record-template.js';
import type { RedisContext } from './redis-context.js';
import { type SharedEntry, sharedEntry, sharedFields } from './redis-index.js';
import { addToBatch, type InsertArgs, newBatch, type ScopeBatch, writeBatches } from './redis-write.js';

/**
 * Records per script call: a call blocks the server while it runs, and BullMQ's own commands
 * (the `addBulk` these records go with) should get their turns in between.
 */
const CALL_SIZE = 1000;

/** Records that share their index entry (but the id), and the template of the first one's value. */
interface InsertGroup {
  readonly shared: SharedEntry;
  /** Made from the group's first record that can fill one (a plain id). */
  template: RecordTemplate | null;
  readonly records: ProgressRecord[];
  /** The records that do not fit the template (checked once, when grouped): nearly always none. */
  readonly unfit: Set<ProgressRecord>;
}

/**
 * Writes each record unless its scope holds a record with its id already (the write script's
 * 'n' mode), for the `queued` records of `ProgressQueue`: written while BullMQ adds the jobs,
 * a worker's write that lands first stands. Records are grouped by the index fields they
 * share, sent once per call (the records of one `addBulk` share all of them but the id), and
 * a record that fits its group's template goes as a line of its id and total: the script
 * builds its value (see record-template.ts). Any other record goes with its whole value.
 * Sends every call before it returns.
 */
export function insertRecords(
  context: RedisContext,
  records: readonly ProgressRecord[],
  format: WireFormat,
): Promise<void> {
  const groups = new Map<string, InsertGroup>();
  let previous: InsertGroup | null = null;
  for (const record of records) {
    // The records of one addBulk follow each other and fit the same template, which implies
    // the same index entry: they join the previous record's group without computing it.
    if (previous?.template && fitsTemplate(previous.template, record)) {
      previous.records.push(record);
      continue;
    }
    const shared = sharedEntry(record);
    const key = sharedFields(shared).join('\0');
    let group = groups.get(key);
    if (group === undefined) {
      group = { shared, template: null, records: [], unfit: new Set() };
      groups.set(key, group);
    }
    group.records.push(record);
    group.template ??= recordTemplate(record, format);
    if (!group.template || !fitsTemplate(group.template, record)) group.unfit.add(record);
    previous = group;
  }
  const calls: Promise<void>[] = [];
  for (const group of groups.values()) {
    const args = insertArgs(context, group, format);
    for (const chunk of byScope(context, group.records)) calls.push(writeBatches(context, chunk, format, args));
  }
  // Not awaited here: an async function would keep the records alive until Redis answers.
  return Promise.all(calls).then(() => undefined);
}

/**
 * The records in calls of about CALL_SIZE, as scope batches, a scope's records together: a call
 * names each of its scopes' keys and adds to each of their sets once, so 10,000 records of 100
 * users take 10 calls of 10 scopes, not 10 calls of all 100 (10 times the keys for ioredis to
 * encode, and the sets' entries in 10 times as many ZADDs).
 */
function byScope(context: RedisContext, records: readonly ProgressRecord[]): ScopeBatch[][] {
  const scopes = new Map<string, ScopeBatch>();
  let previous: ProgressRecord | null = null;
  let current: ScopeBatch | null = null;
  for (const record of records) {
    if (current === null || record.scope !== previous?.scope) {
      const key = record.scope.join(SCOPE_SEPARATOR);
      current = scopes.get(key) ?? null;
      if (current === null) {
        current = newBatch(key);
        scopes.set(key, current);
      }
    }
    addToBatch(context, current, record);
    previous = record;
  }
  const chunks: ScopeBatch[][] = [];
  let chunk: ScopeBatch[] = [];
  let size = 0;
  for (const batch of scopes.values()) {
    for (let start = 0; start < batch.records.length; start += CALL_SIZE) {
      let part = batch;
      if (batch.records.length > CALL_SIZE) {
        part = newBatch(batch.key);
        for (const record of batch.records.slice(start, start + CALL_SIZE)) addToBatch(context, part, record);
      }
      if (size > 0 && size + part.records.length > CALL_SIZE) {
        chunks.push(chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(part);
      size += part.records.length;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A group's call (WRITE_LUA, 'n'): per scope its key block for the group's status; the shared
 * index fields, the template (the job id's offset in the id, or -1, and the five parts), then
 * per block its scope JSON and a line (id TAB total JSON) per record that fits the template in
 * that scope; then the number of the other records and, for each, its block, id and value.
 */
function insertArgs(context: RedisContext, group: InsertGroup, format: WireFormat): InsertArgs {
  const { template, unfit } = group;
  const { status } = group.shared;
  const head = [
    ...sharedFields(group.shared),
    String(template?.jobIdCut ?? -1),
    ...(template?.parts ?? ['', '', '', '', '']),
  ];
  return (batches: readonly ScopeBatch[], publish: boolean) => {
    const args = [...head];
    const keys: string[] = [];
    const others: string[] = [];
    const changes: string[] = [];
    batches.forEach((batch, index) => {
      keys.push(...context.scope(batch.key).blockOf(status));
      const scope = (batch.records[0] as ProgressRecord).scope;
      const scopeJson = JSON.stringify(batch.key);
      const lines: string[] = [];
      const plain: string[] = [];
      for (const record of batch.records) {
        const { id } = record;
        if (template !== null && !unfit.has(record) && sameScope(record.scope, scope)) {
          // A plain id (see record-template.ts): no TAB or newline, JSON as is.
          lines.push(`${id}\t${totalText(record.total)}`);
          plain.push(id);
        } else {
          others.push(String(index + 1), id, encodeRecord(record, format));
          if (publish) changes.push(`{"scope":${scopeJson},"id":${JSON.stringify(id)}}`);
        }
      }
      args.push(JSON.stringify(scope), lines.join('\n'));
      // The changes of the plain ids in one join, not a string per record.
      const change = `{"scope":${scopeJson},"id":"`;
      if (publish && plain.length > 0) changes.push(`${change}${plain.join(`"},${change}`)}"}`);
    });
    args.push(String(others.length / 3), ...others);
    return { keys, args, message: publish ? `[${changes.join(',')}]` : '' };
  };
}

function sameScope(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
