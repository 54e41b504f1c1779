import type { JobDTO } from 'progressrus/core';

/**
 * A job's status as of `now`. The server derives `stalled` when it reads a record; a viewer
 * that keeps a job on screen gets no new event when the job goes quiet, so it turns the job
 * stalled itself once `stalledAt` has passed.
 */
export function liveStatus(job: JobDTO, now: Date | null): JobDTO['status'] {
  if (now === null || job.stalledAt === null) return job.status;
  if (job.status !== 'running' && job.status !== 'started') return job.status;
  return now.getTime() > Date.parse(job.stalledAt) ? 'stalled' : job.status;
}

/** The jobs with their status as of `now`; the same array when nothing changed, so React skips work. */
export function withLiveStatus(jobs: readonly JobDTO[], now: Date | null): readonly JobDTO[] {
  let changed: JobDTO[] | null = null;
  jobs.forEach((job, index) => {
    const status = liveStatus(job, now);
    if (status === job.status) return;
    changed ??= [...jobs];
    changed[index] = { ...job, status };
  });
  return changed ?? jobs;
}
