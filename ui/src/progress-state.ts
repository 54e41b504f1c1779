import type { JobDTO, StatusCounts } from 'progressrus/core';

/**
 * How fresh the data is: `connecting` before the first answer, `live` while the event stream
 * is open, `polling` while polls succeed instead, `offline` while nothing gets through.
 */
export type Connection = 'connecting' | 'live' | 'polling' | 'offline';

export interface ProgressState {
  /** The scope's jobs (or the one job), newest start first. */
  readonly jobs: readonly JobDTO[];
  /** The job asked for with `{ scope, id }`; null for a whole scope or while it does not exist. */
  readonly job: JobDTO | null;
  readonly connection: Connection;
  /** The last failure; null again once data flows. A `ProgressHttpError` carries the status. */
  readonly error: Error | null;
  /** True once a first snapshot has arrived. */
  readonly loaded: boolean;
  /**
   * A whole scope's jobs by status: the last snapshot's or poll's, moved by the live events
   * that follow (see LiveCounts); null for one job, or before the first answer.
   */
  readonly counts: StatusCounts | null;
  /** A whole scope's live jobs, kept like `counts`; null like `counts`. */
  readonly total: number | null;
}
