import type { Status } from '../../core/record.js';
import { countsTotal, type JobSort, type StatusCounts } from '../job-query.js';

/*
 * Which plan a page of `jobs()` takes, from the scope's counts (see postgres-queries.ts for
 * the statements).
 */

/** Whether a status filter asks only for records writing now (`running`, `started`): never `stalled` nor a finished status. */
export function onlyWriting(statuses: ReadonlySet<Status>): boolean {
  return [...statuses].every((status) => status === 'running' || status === 'started');
}

/**
 * Whether a status-filtered page is cheaper read whole (the few records that pass, through
 * their own index ranges, then sorted) than by walking the sort index: a walk reads about
 * limit × scope ÷ passing rows, a gather the passing ones; same cost at passing² ≈ limit × scope.
 */
export function gathers(statuses: ReadonlySet<Status>, counts: StatusCounts, limit: number): boolean {
  let passing = 0;
  for (const status of statuses) passing += counts[status];
  return passing * passing <= (limit + 1) * Math.max(1, countsTotal(counts));
}

/**
 * What an entry of a sort index costs a name walk, in entries of the search index: the
 * updatedAt index holds the name key (an index-only walk), the others send the walk to the
 * record's row for each entry (a random read, ~10 index entries' time).
 */
const WALK_ENTRY_COST: Record<JobSort, number> = { updatedAt: 1, startedAt: 10, percentage: 10, name: 10 };

/**
 * How many records (of those passing the status filter) a name walk reads before it gives up
 * for the gather (`jobsNamed`). Matching a share s of the names, spread over the sort's order,
 * the walk reads page ÷ s of the passing records, the gather s × scope entries; they cost the
 * same where the walk reads √(page × passing ÷ cost of an entry) records (√(51 × 1,000,000) =
 * 7,142 on the updatedAt index). A walk that gives up has paid at most that much more.
 */
export function walkBudget(statuses: ReadonlySet<Status> | null, counts: StatusCounts, limit: number, sort: JobSort): number {
  let passing = countsTotal(counts);
  if (statuses !== null) {
    passing = 0;
    for (const status of statuses) passing += counts[status];
  }
  return Math.ceil(Math.sqrt(((limit + 1) * Math.max(1, passing)) / WALK_ENTRY_COST[sort]));
}
