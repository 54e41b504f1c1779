import type { JobDTO, JobsPageDTO, Status, StatusCounts } from 'progressrus/core';

/**
 * A scope's counts by status as of its last snapshot (or poll), moved by the live events that
 * follow: a job that changes status moves from one count to the other, a new job adds one, a
 * removed job takes one away. A job the viewer never held (one beyond the first page) that
 * changes status leaves the counts as they are, since its status before is unknown; the next
 * snapshot or poll sets them right.
 */
export class LiveCounts {
  #counts: StatusCounts | null = null;
  #total: number | null = null;
  /** The latest write the snapshot held: a job first written after it is new to the scope. */
  #sinceMs = Number.NEGATIVE_INFINITY;

  get counts(): StatusCounts | null {
    return this.#counts;
  }

  get total(): number | null {
    return this.#total;
  }

  /** Takes the counts of a snapshot or a polled page; none for one job's. */
  reset(page: Partial<JobsPageDTO>): void {
    const known = page.counts !== undefined && typeof page.total === 'number';
    this.#counts = known ? (page.counts as StatusCounts) : null;
    this.#total = known ? (page.total as number) : null;
    this.#sinceMs = Math.max(
      Number.NEGATIVE_INFINITY,
      ...(page.items ?? []).map((job) => Date.parse(job.updatedAt ?? '') || Number.NEGATIVE_INFINITY),
    );
  }

  /** A `job` event; `previous` is the job as the viewer held it, if it did. */
  put(previous: JobDTO | null, job: JobDTO): void {
    if (previous !== null) this.#move(previous.status, job.status, 0);
    else if ((Date.parse(job.startedAt ?? job.updatedAt ?? '') || 0) > this.#sinceMs)
      this.#move(null, job.status, 1);
  }

  /** A `removed` event for a job the viewer held. */
  remove(previous: JobDTO): void {
    this.#move(previous.status, null, -1);
  }

  #move(from: Status | null, to: Status | null, totalChange: number): void {
    if (this.#counts === null || this.#total === null || from === to) return;
    const counts = { ...this.#counts };
    if (from !== null) counts[from] = Math.max(0, counts[from] - 1);
    if (to !== null) counts[to] += 1;
    this.#counts = counts;
    this.#total = Math.max(0, this.#total + totalChange);
  }
}
