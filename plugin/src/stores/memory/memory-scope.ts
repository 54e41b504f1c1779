import { decodeRecord } from '../../core/codec.js';
import { MalformedRecordError } from '../../core/errors.js';
import type { ProgressRecord, Status } from '../../core/record.js';
import { stalledAt, type WrittenStatus, writtenStatus } from '../../core/tick.js';
import {
  emptyCounts,
  JOB_SORTS,
  type JobSort,
  type JobSortKey,
  jobSortKey,
  nameSearchKey,
  type StatusCounts,
} from '../job-query.js';

/** One stored value: the JSON as written, and what the indexes of a real store would hold. */
export interface StoredValue {
  readonly raw: string;
  readonly expiresAtMs: number | null;
  /** null when the value cannot be decoded: it is in no index and no count, and reported when read. */
  readonly entry: IndexEntry | null;
}

/** What a job's index entries hold: its sort keys, search key, written status and stall time. */
export interface IndexEntry {
  readonly keys: Readonly<Record<JobSort, JobSortKey>>;
  readonly search: string;
  readonly status: WrittenStatus;
  readonly stalledAtMs: number | null;
}

/** Decodes a value once, at write time, into what it is indexed by. */
export function storedValue(raw: string, scopeKey: string, id: string): StoredValue {
  let record: ProgressRecord;
  try {
    record = decodeRecord(raw, scopeKey, id);
  } catch (error) {
    if (!(error instanceof MalformedRecordError)) throw error;
    return { raw, expiresAtMs: null, entry: null };
  }
  const keys = {} as Record<JobSort, JobSortKey>;
  for (const sort of JOB_SORTS) keys[sort] = jobSortKey(record, sort);
  return {
    raw,
    expiresAtMs: record.expiresAt?.getTime() ?? null,
    entry: {
      keys,
      search: nameSearchKey(record.name),
      status: writtenStatus(record),
      stalledAtMs: stalledAt(record)?.getTime() ?? null,
    },
  };
}

/**
 * The records of one scope with the counters a real store keeps beside them: counts by
 * written status, kept on every write and delete, and the stall times of unfinished jobs,
 * so counts never decode a record.
 */
export class MemoryScope {
  readonly values = new Map<string, StoredValue>();
  activityMs = 0;
  readonly #written: Record<Status, number> = emptyCounts();
  // Unfinished records that can turn stalled, by id: the only part of a count read with the clock.
  readonly #unfinished = new Map<string, IndexEntry>();
  // The earliest expiry in the scope: a read sweeps only once the clock has passed it.
  #nextExpiryMs = Number.POSITIVE_INFINITY;

  set(id: string, value: StoredValue): void {
    this.delete(id);
    this.values.set(id, value);
    if (value.entry !== null) {
      this.#written[value.entry.status] += 1;
      if (value.entry.stalledAtMs !== null) this.#unfinished.set(id, value.entry);
    }
    if (value.expiresAtMs !== null) this.#nextExpiryMs = Math.min(this.#nextExpiryMs, value.expiresAtMs);
  }

  delete(id: string): void {
    const old = this.values.get(id);
    if (old === undefined) return;
    this.values.delete(id);
    if (old.entry !== null) this.#written[old.entry.status] -= 1;
    this.#unfinished.delete(id);
  }

  /** Deletes the records expired at `nowMs`, when the earliest expiry says there are some. */
  sweep(nowMs: number): void {
    if (nowMs < this.#nextExpiryMs) return;
    this.#nextExpiryMs = Number.POSITIVE_INFINITY;
    for (const [id, { expiresAtMs }] of this.values) {
      if (expiresAtMs === null) continue;
      if (expiresAtMs <= nowMs) this.delete(id);
      else this.#nextExpiryMs = Math.min(this.#nextExpiryMs, expiresAtMs);
    }
  }

  /** Counts by the status records read at `nowMs` (the caller has swept). */
  counts(nowMs: number): StatusCounts {
    const counts = { ...this.#written };
    for (const { status, stalledAtMs } of this.#unfinished.values()) {
      if (stalledAtMs !== null && nowMs > stalledAtMs) {
        counts[status] -= 1;
        counts.stalled += 1;
      }
    }
    return counts;
  }
}
