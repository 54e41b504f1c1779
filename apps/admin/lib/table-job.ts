import type { JobDTO } from 'progressrus';

/**
 * What a row of the scope page's job table shows. The page sends its rows to the browser twice
 * (as HTML, and as the table's props for hydration), so they carry only what the row reads:
 * not the params, the actions or the expiry. The live stream's whole `JobDTO`s fit it too.
 */
const TABLE_FIELDS = [
  'id',
  'name',
  'queue',
  'jobId',
  'status',
  'cancelRequested',
  'errorMessage',
  'count',
  'total',
  'percentage',
  'errorCount',
  'ratePerSecond',
  'eta',
  'history',
  'elapsedMs',
  'startedAt',
  'updatedAt',
  'completedAt',
  'failedAt',
  'cancelledAt',
] as const satisfies readonly (keyof JobDTO)[];

export type TableJob = Pick<JobDTO, (typeof TABLE_FIELDS)[number]>;

export function toTableJob(job: JobDTO): TableJob {
  const row: Partial<Record<keyof TableJob, unknown>> = {};
  for (const field of TABLE_FIELDS) row[field] = job[field];
  return row as TableJob;
}
