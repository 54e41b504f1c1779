import type { Tick } from '../../core/tick.js';
import {
  compareJobKeys,
  countByStatus,
  isAfterCursor,
  type JobSortKey,
  type JobsPage,
  type NormalizedJobsQuery,
  jobSortKey,
  nameSearchKey,
  toJobsPage,
} from '../job-query.js';

/**
 * TEMPORARY (#12): pages ticks of a whole-scope read in memory, so RedisStore answers `jobs()`
 * and counts until helper "redis" lands the per-scope indexes and counters; it deletes this file.
 */
export function pageTicksInterim(ticks: readonly Tick[], query: NormalizedJobsQuery): JobsPage {
  const { statuses, name, sort, order, after, limit } = query;
  const matches: [JobSortKey, Tick][] = [];
  for (const tick of ticks) {
    if (statuses !== null && !statuses.has(tick.status)) continue;
    if (name !== null && !nameSearchKey(tick.name).startsWith(name)) continue;
    const key = jobSortKey(tick, sort);
    if (isAfterCursor(key, tick.id, after, order)) matches.push([key, tick]);
  }
  const direction = order === 'asc' ? 1 : -1;
  matches.sort((a, b) => direction * compareJobKeys(a[0], a[1].id, b[0], b[1].id));
  return toJobsPage(
    matches.slice(0, limit + 1).map(([, tick]) => tick),
    query,
    countByStatus(ticks),
  );
}
