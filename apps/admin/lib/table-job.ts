import type { JobDTO } from 'progressrus';

/**
 * What a row of the scope page's job table shows. The page sends its rows to the browser twice
 * (as HTML, and as the table's props for hydration), so they carry only what the row reads:
 * not the params, the actions or the expiry. The live stream's whole `JobDTO`s fit it too.
 */
export type TableJob = Pick<
  JobDTO,
  | 'id'
  | 'name'
  | 'queue'
  | 'jobId'
  | 'status'
  | 'cancelRequested'
  | 'errorMessage'
  | 'count'
  | 'total'
  | 'percentage'
  | 'errorCount'
  | 'ratePerSecond'
  | 'eta'
  | 'history'
  | 'elapsedMs'
  | 'startedAt'
  | 'updatedAt'
  | 'completedAt'
  | 'failedAt'
  | 'cancelledAt'
>;

export function toTableJob(job: JobDTO): TableJob {
  return {
    id: job.id,
    name: job.name,
    queue: job.queue,
    jobId: job.jobId,
    status: job.status,
    cancelRequested: job.cancelRequested,
    errorMessage: job.errorMessage,
    count: job.count,
    total: job.total,
    percentage: job.percentage,
    errorCount: job.errorCount,
    ratePerSecond: job.ratePerSecond,
    eta: job.eta,
    history: job.history,
    elapsedMs: job.elapsedMs,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
    failedAt: job.failedAt,
    cancelledAt: job.cancelledAt,
  };
}
