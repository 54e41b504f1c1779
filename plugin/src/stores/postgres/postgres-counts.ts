import type { Status } from '../../core/record.js';
import type { WrittenStatus } from '../../core/tick.js';
import { emptyCounts, type StatusCounts } from '../job-query.js';
import type { NeverStalling } from './postgres-queries.js';
import { counterColumn, STALLABLE_STATUSES, stallableColumn, WRITTEN_STATUSES } from './postgres-schema.js';

/** A row of `counters`: the scope's key and a column per counter (see COUNTERS). */
export type CounterRow = Record<string, unknown> & { readonly key: string };

/** A row of `countAdjustments`. */
export interface AdjustmentRow {
  readonly key: string;
  readonly status: WrittenStatus;
  readonly expired: number;
  readonly expired_stallable: number;
  readonly fresh: number;
}

/**
 * Counts by status of some scopes, from their counters: less the records expired and not
 * yet swept; and `stalled` = the unfinished records with a stall time less those whose stall
 * time is still ahead. Both corrections read only the few records they count (overdue for
 * the sweep; writing right now) through partial indexes, never the scope.
 */
export function countsFrom(counters: readonly CounterRow[], adjustments: readonly AdjustmentRow[]): Map<string, StatusCounts> {
  const counts = new Map<string, Record<Status, number>>();
  const silent = new Map<string, Record<string, number>>();
  for (const row of counters) {
    const each = emptyCounts();
    for (const status of WRITTEN_STATUSES) each[status] = Number(row[counterColumn(status)]);
    counts.set(String(row.key), each);
    const stallable: Record<string, number> = {};
    for (const status of STALLABLE_STATUSES) stallable[status] = Number(row[stallableColumn(status)]);
    silent.set(String(row.key), stallable);
  }
  for (const row of adjustments) {
    const each = counts.get(row.key);
    const stallable = silent.get(row.key);
    if (each === undefined || stallable === undefined) continue;
    each[row.status] -= Number(row.expired);
    if (row.status in stallable) {
      stallable[row.status] = (stallable[row.status] ?? 0) - Number(row.expired_stallable) - Number(row.fresh);
    }
  }
  for (const [key, stallable] of silent) {
    const each = counts.get(key) as Record<Status, number>;
    for (const status of STALLABLE_STATUSES) {
      const stalled = Math.max(0, stallable[status] ?? 0);
      each[status] -= stalled;
      each.stalled += stalled;
    }
  }
  return counts;
}

/** The live statuses of a scope (its counters row) that hold records that never stall. */
export function neverStallingOf(row: CounterRow | undefined): NeverStalling {
  return new Set(
    STALLABLE_STATUSES.filter(
      (status) => row !== undefined && Number(row[counterColumn(status)]) > Number(row[stallableColumn(status)]),
    ),
  );
}
