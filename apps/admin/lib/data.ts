import 'server-only';
import {
  type JobDTO,
  type JobSort,
  type JobsPageDTO,
  normalizeScope,
  parseScopeKey,
  ProgressrusArgumentError,
  type ScopeDTO,
  type SortOrder,
  type Status,
  toJobDTO,
  toJobsPageDTO,
  toScopeDTO,
} from 'progressrus';
import { withStore } from './store';

/** Statuses the tables count and filter by, in the order they are shown. */
export const SHOWN_STATUSES = [
  'queued',
  'running',
  'stalled',
  'failed',
  'cancelled',
  'completed',
] as const satisfies readonly Status[];

export { JOB_SORTS, type JobSort, type SortOrder } from 'progressrus';

export const SCOPES_PER_PAGE = 25;
export const JOBS_PER_PAGE = 50;

export interface ScopesPageData {
  readonly items: readonly ScopeDTO[];
  readonly nextCursor: string | null;
}

/**
 * One page of scopes, newest activity first, with job counts by status from the store's
 * counters: the page costs the same however many scopes and jobs there are.
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
    return { items: page.items.map(toScopeDTO), nextCursor: page.nextCursor };
  });
}

export interface JobsQuery {
  readonly status: Status | null;
  /** A case-insensitive prefix of the job name; '' for every name. */
  readonly name: string;
  readonly sort: JobSort;
  readonly order: SortOrder;
  /** `nextCursor` of the page before; null for the first page. */
  readonly cursor: string | null;
}

export interface ScopeJobsData extends JobsPageDTO {
  readonly scope: readonly string[];
  readonly key: string;
  /** When the records were read: the client counts relative times from here, so server and browser render alike. */
  readonly readAt: string;
}

/**
 * One page of a scope's jobs through the store's query (the same as `GET /jobs`), with the
 * scope's counts; null when the key is not a valid scope. A cursor that is not one of the
 * store's throws `ProgressrusArgumentError`.
 */
export async function scopeJobs(key: string, query: JobsQuery): Promise<ScopeJobsData | null> {
  const scope = parseKey(key);
  if (scope === null) return null;
  return withStore(async (store) => {
    const page = await store.jobs(scope, {
      statuses: query.status === null ? null : [query.status],
      name: query.name,
      sort: query.sort,
      order: query.order,
      cursor: query.cursor,
      limit: JOBS_PER_PAGE,
    });
    const readAt = new Date();
    return { ...toJobsPageDTO(page, readAt), scope, key: scope.join(':'), readAt: readAt.toISOString() };
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
