'use client';

import type { JobDTO } from 'progressrus/core';
import type { ReactNode } from 'react';
import { CancelButton, isCancellable } from './cancel-button.js';
import { Eta } from './eta.js';
import { LocalTime } from './local-time.js';
import { ProgressBar } from './progress-bar.js';
import type { FetchLike } from './progress-options.js';
import { StatusBadge } from './status-badge.js';
import { tokenActions } from './token-actions.js';
import { useNow } from './use-now.js';

/** The words of `<JobList>`; pass some to translate. */
export interface JobListLabels {
  readonly job: string;
  readonly status: string;
  readonly progress: string;
  readonly eta: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly empty: string;
  readonly unknown: string;
  /** "420 of 1,000" */
  readonly countOfTotal: (count: string, total: string) => string;
  /** "420 done" (total unknown) */
  readonly countOnly: (count: string) => string;
  /** "3 errors" */
  readonly errors: (count: number) => string;
  readonly actions: string;
  readonly cancel: string;
  readonly cancelling: string;
  /** The status of a running job that was asked to stop and has not yet. */
  readonly cancelRequested: string;
}

export const JOB_LIST_LABELS: JobListLabels = {
  job: 'Job',
  status: 'Status',
  progress: 'Progress',
  eta: 'ETA',
  startedAt: 'Started',
  finishedAt: 'Finished',
  empty: 'No jobs yet',
  unknown: 'Unknown',
  countOfTotal: (count, total) => `${count} of ${total}`,
  countOnly: (count) => `${count} done`,
  errors: (count) => (count === 1 ? '1 error' : `${count} errors`),
  actions: 'Actions',
  cancel: 'Cancel',
  cancelling: 'Cancelling…',
  cancelRequested: 'Cancel requested',
};

export interface JobListProps {
  readonly jobs: readonly JobDTO[];
  /** A visible caption naming the table. */
  readonly caption?: ReactNode;
  /** The time ETAs count from. @default now, ticking every second */
  readonly now?: Date;
  /** BCP 47 locale for numbers and times. @default the viewer's */
  readonly locale?: string;
  /** IANA time zone for times. @default the viewer's */
  readonly timeZone?: string;
  readonly labels?: Partial<JobListLabels>;
  readonly className?: string;
  /**
   * Shows a Cancel button on each job that can still be cancelled, when `token` was minted
   * with `actions: ['cancel']` (a read-only token shows none): `url` is where the progress
   * handler is mounted, as for `useProgress`.
   */
  readonly cancel?: {
    readonly url: string;
    readonly token: string | null | undefined;
    /** @default globalThis.fetch */
    readonly fetch?: FetchLike;
  };
}

/**
 * A table of jobs: name, status, progress bar with percentage, ETA as a relative time, and
 * start and finish times in the viewer's time zone. One shared clock re-renders the ETAs.
 *
 * @example
 * const { jobs } = useProgress(['user', userId], { url: '/api/progress' });
 * return <JobList jobs={jobs} caption="Your exports" />;
 */
export function JobList({
  jobs,
  caption,
  now,
  locale,
  timeZone,
  labels,
  className,
  cancel,
}: JobListProps) {
  const text = { ...JOB_LIST_LABELS, ...labels };
  const cancelToken =
    cancel?.token && tokenActions(cancel.token).includes('cancel') ? cancel.token : null;
  const columns = cancelToken ? 7 : 6;
  const current = useNow(now);
  // Until hydration the viewer's locale is unknown; a fixed one keeps server and client equal.
  const numbers = new Intl.NumberFormat(locale ?? (current ? undefined : 'en-US'));
  const times = { now: current ?? undefined, locale, timeZone, unknownLabel: text.unknown };
  return (
    <table className={className ?? 'progressrus-jobs'}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          <th scope="col">{text.job}</th>
          <th scope="col">{text.status}</th>
          <th scope="col">{text.progress}</th>
          <th scope="col">{text.eta}</th>
          <th scope="col">{text.startedAt}</th>
          <th scope="col">{text.finishedAt}</th>
          {cancelToken ? <th scope="col">{text.actions}</th> : null}
        </tr>
      </thead>
      <tbody>
        {jobs.length === 0 ? (
          <tr>
            <td colSpan={columns} className="progressrus-empty">
              {text.empty}
            </td>
          </tr>
        ) : (
          jobs.map((job) => {
            const counts =
              job.total === null
                ? text.countOnly(numbers.format(job.count))
                : text.countOfTotal(numbers.format(job.count), numbers.format(job.total));
            const finished =
              job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled';
            const percent = percentText(job);
            return (
              <tr key={job.id} data-status={job.status}>
                <th scope="row">
                  <span className="progressrus-job-name">
                    <span>{job.name}</span>
                    {job.errorMessage && job.status !== 'completed' ? (
                      <span className="progressrus-job-error">{job.errorMessage}</span>
                    ) : null}
                  </span>
                </th>
                <td>
                  <StatusBadge
                    status={job.status}
                    {...(job.cancelRequested ? { label: text.cancelRequested } : {})}
                  />
                </td>
                <td className="progressrus-job-progress">
                  <ProgressBar job={job} valueText={percent ? `${percent}, ${counts}` : counts} />
                  <span className="progressrus-job-counts">
                    {percent ? <strong>{percent}</strong> : null}
                    <span>{counts}</span>
                    {job.errorCount > 0 ? (
                      <span className="progressrus-job-error-count">
                        {text.errors(job.errorCount)}
                      </span>
                    ) : null}
                  </span>
                </td>
                <td>
                  <Eta value={finished ? null : job.eta} {...times} />
                </td>
                <td>
                  <LocalTime value={job.startedAt} {...times} />
                </td>
                <td>
                  <LocalTime
                    value={job.completedAt ?? job.failedAt ?? job.cancelledAt}
                    {...times}
                  />
                </td>
                {cancelToken && cancel ? (
                  <td>
                    {isCancellable(job) ? (
                      <CancelButton
                        job={job}
                        url={cancel.url}
                        token={cancelToken}
                        label={text.cancel}
                        pendingLabel={text.cancelling}
                        {...(cancel.fetch ? { fetch: cancel.fetch } : {})}
                      />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })
        )}
      </tbody>
    </table>
  );
}

function percentText(job: JobDTO): string | null {
  return job.percentage === null ? null : `${Math.floor(job.percentage)}%`;
}
