import { expected } from '../core/errors.js';
import type { Tick } from '../core/tick.js';
import type { JobsParams, SortField, SortOrder } from './query.js';

type SortKey = number | string | null;

/** Where a page ended: the sort it belongs to and the last item's sort key and id. */
interface JobCursor {
  readonly sort: SortField;
  readonly order: SortOrder;
  readonly key: SortKey;
  readonly id: string;
}

/**
 * One page of a scope's jobs: filtered by status, sorted (missing values last, then by id so
 * the order is total), after the cursor. Keyset cursors keep pages stable while jobs come and go.
 */
export function pageJobs(
  ticks: readonly Tick[],
  params: JobsParams,
): { items: Tick[]; nextCursor: string | null } {
  const { statuses, sort, order, limit } = params;
  const after = params.cursor === null ? null : decodeJobCursor(params.cursor, sort, order);
  const keyed: [SortKey, Tick][] = [];
  for (const tick of ticks) {
    if (statuses !== null && !statuses.has(tick.status)) continue;
    const key = sortKey(tick, sort);
    if (after === null || compare(key, tick.id, after.key, after.id, order) > 0)
      keyed.push([key, tick]);
  }
  keyed.sort((a, b) => compare(a[0], a[1].id, b[0], b[1].id, order));
  const page = keyed.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    keyed.length > limit && last
      ? encodeJobCursor({ sort, order, key: last[0], id: last[1].id })
      : null;
  return { items: page.map(([, tick]) => tick), nextCursor };
}

function sortKey(tick: Tick, sort: SortField): SortKey {
  switch (sort) {
    case 'updatedAt':
      // Ruby-written records have no updated_at: their last write is their start or end.
      return (
        (tick.updatedAt ?? tick.completedAt ?? tick.failedAt ?? tick.startedAt)?.getTime() ?? null
      );
    case 'startedAt':
      return tick.startedAt?.getTime() ?? null;
    case 'name':
      return tick.name;
    case 'percentage':
      return tick.percentage();
  }
}

/** Orders by key in `order`, missing keys last either way, then by id ascending. */
function compare(aKey: SortKey, aId: string, bKey: SortKey, bId: string, order: SortOrder): number {
  if (aKey !== bKey) {
    if (aKey === null) return 1;
    if (bKey === null) return -1;
    const byKey = aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
    if (byKey !== 0) return order === 'asc' ? byKey : -byKey;
  }
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

function encodeJobCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.order, cursor.key, cursor.id])).toString(
    'base64url',
  );
}

function decodeJobCursor(text: string, sort: SortField, order: SortOrder): JobCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString());
    if (Array.isArray(value) && value.length === 4) {
      const [s, o, key, id] = value as unknown[];
      const keyOk =
        key === null ||
        (sort === 'name'
          ? typeof key === 'string'
          : typeof key === 'number' && Number.isFinite(key));
      if (s === sort && o === order && keyOk && typeof id === 'string')
        return { sort, order, key: key as SortKey, id };
    }
  } catch {
    // Falls through to the one error below.
  }
  throw expected('cursor', `a cursor returned by a previous page sorted by ${sort} ${order}`, text);
}
