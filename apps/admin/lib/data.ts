import 'server-only';
import {
  type JobDTO,
  normalizeScope,
  parseScopeKey,
  ProgressrusArgumentError,
  type ScopeDTO,
  type Status,
  type Tick,
  toJobDTO,
  toScopeDTO,
} from 'progressrus';
import { withStore } from './store';

/** Statuses the tables count and filter by, in the order they are shown. */
export const SHOWN_STATUSES = [
  'running',
  'stalled',
  'failed',
  'completed',
] as const satisfies readonly Status[];

export const JOB_SORTS = ['updatedAt', 'startedAt', 'name', 'percentage'] as const;
export type JobSort = (typeof JOB_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export const SCOPES_PER_PAGE = 25;
export const JOBS_PER_PAGE = 50;

export interface ScopesPageData {
  readonly items: readonly ScopeDTO[];
  readonly nextCursor: string | null;
}

/**
 * One page of scopes, newest activity first, with job counts by status. Counts are computed
 * for the scopes on the page only: the listing itself comes from the store's index, so it
 * stays fast however many scopes there are.
 */
export async function listScopes(query: {
  prefix: string;
  cursor: string | null;
}): Promise<ScopesPageData> {
  return withStore(async (store) => {
    const page = await store.scopes({
      prefix: query.prefix,
      cursor: query.cursor,
      limit: SCOPES_PER_PAGE,
    });
    const items = await Promise.all(
      page.items.map(async (entry) =>
        toScopeDTO(entry, countByStatus(await store.scope(entry.scope))),
      ),
    );
    return { items, nextCursor: page.nextCursor };
  });
}

export interface JobsQuery {
  readonly status: Status | null;
  readonly sort: JobSort;
  readonly order: SortOrder;
  /** 1-based. */
  readonly page: number;
}

export interface ScopeJobsData {
  readonly scope: readonly string[];
  readonly key: string;
  readonly items: readonly JobDTO[];
  /** Jobs that pass the status filter. */
  readonly matching: number;
  /** Every job of the scope, by status. */
  readonly counts: Partial<Record<Status, number>>;
  readonly total: number;
  readonly page: number;
  readonly pageCount: number;
  /** When the records were read: the client counts relative times from here, so server and browser render alike. */
  readonly readAt: string;
}

/** The jobs of one scope, filtered, sorted and paginated; null when the key is not a valid scope. */
export async function scopeJobs(key: string, query: JobsQuery): Promise<ScopeJobsData | null> {
  const scope = parseKey(key);
  if (scope === null) return null;
  return withStore(async (store) => {
    const ticks = await store.scope(scope);
    const readAt = new Date();
    const matching =
      query.status === null ? ticks : ticks.filter((tick) => tick.status === query.status);
    const sorted = matching.sort(compareTicks(query.sort, query.order));
    const pageCount = Math.max(1, Math.ceil(sorted.length / JOBS_PER_PAGE));
    const page = Math.min(Math.max(1, query.page), pageCount);
    const items = sorted
      .slice((page - 1) * JOBS_PER_PAGE, page * JOBS_PER_PAGE)
      .map((tick) => toJobDTO(tick, readAt));
    return {
      scope,
      key: scope.join(':'),
      items,
      matching: sorted.length,
      counts: countByStatus(ticks),
      total: ticks.length,
      page,
      pageCount,
      readAt: readAt.toISOString(),
    };
  });
}

/** One job, or null when the scope key is invalid or the record does not exist (or expired). */
export async function findJob(key: string, id: string): Promise<JobDTO | null> {
  const scope = parseKey(key);
  if (scope === null || id === '') return null;
  return withStore(async (store) => {
    const tick = await store.find(scope, id);
    return tick === null ? null : toJobDTO(tick);
  });
}

/** `'user:3421'` → `['user', '3421']`, or null when it cannot name a scope. */
export function parseKey(key: string): string[] | null {
  try {
    return normalizeScope(parseScopeKey(key));
  } catch (error) {
    if (error instanceof ProgressrusArgumentError) return null;
    throw error;
  }
}

export function countByStatus(
  ticks: readonly Pick<Tick, 'status'>[],
): Partial<Record<Status, number>> {
  const counts: Partial<Record<Status, number>> = {};
  for (const tick of ticks) counts[tick.status] = (counts[tick.status] ?? 0) + 1;
  return counts;
}

function compareTicks(sort: JobSort, order: SortOrder): (a: Tick, b: Tick) => number {
  const direction = order === 'asc' ? 1 : -1;
  const value = (tick: Tick): number | string | null => {
    switch (sort) {
      case 'name':
        return tick.name;
      case 'percentage':
        return tick.percentage();
      case 'startedAt':
        return tick.startedAt?.getTime() ?? null;
      default:
        return (
          (tick.updatedAt ?? tick.completedAt ?? tick.failedAt ?? tick.startedAt)?.getTime() ?? null
        );
    }
  };
  return (a, b) => {
    const left = value(a);
    const right = value(b);
    // Unknown values (no start yet, unknown total) go last whichever the order.
    if (left === null || right === null)
      return left === right ? compareIds(a, b) : left === null ? 1 : -1;
    const order =
      typeof left === 'string' || typeof right === 'string'
        ? names.compare(String(left), String(right))
        : Math.sign(left - right);
    return order === 0 ? compareIds(a, b) : order * direction;
  };
}

// "Export #9" before "Export #10", and case does not split the list in two.
const names = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareIds(a: Tick, b: Tick): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
