'use client';

import { Eta, ProgressBar, StatusBadge, sparkline, useNow, useProgress } from '@progressrus/ui';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { Status } from 'progressrus';
import { useMemo, useRef, useState } from 'react';
import type { JobSort, SortOrder } from '@/lib/data';
import type { TableJob } from '@/lib/table-job';
import { formatCount, formatCountOf, formatDuration, formatJobPercentage, formatRate } from '@/lib/format';
import { jobHref, query, scopeHref } from '@/lib/search-params';
import { BULK_FORM, BulkActions } from './bulk-actions';
import { RelativeTime } from './relative-time';
import { type StatusTab, StatusTabs } from './status-tabs';

export interface JobTableProps {
  /** The status filter; its counts follow the live jobs once the stream has sent them. */
  readonly tabs: readonly StatusTab[];
  readonly scopeKey: string;
  /** The page's jobs as the server read them. */
  readonly jobs: readonly TableJob[];
  /** When the server read them (ISO-8601): jobs that start later are new. */
  readonly readAt: string;
  readonly status: Status | null;
  /** The name search, kept by the sort links. */
  readonly name: string;
  readonly sort: JobSort;
  readonly order: SortOrder;
}

const SORT_DEFAULT_ORDER: Record<JobSort, SortOrder> = {
  updatedAt: 'desc',
  startedAt: 'desc',
  name: 'asc',
  percentage: 'desc',
};

/**
 * The scope's jobs on this page, kept live over Server-Sent Events: each row updates in place
 * as its job writes. Jobs that start later are announced above the table instead of being
 * inserted, so rows never move under the reader's pointer.
 */
export function JobTable({ tabs, scopeKey, jobs, readAt, status, sort, order, name }: JobTableProps) {
  const router = useRouter();
  // The stream's snapshot is the scope's first page and counts; its events then carry every
  // change of the scope, so rows on any page update in place.
  const live = useProgress(scopeKey, { url: '/api/progress' });
  const byId = useMemo(() => new Map(live.jobs.map((job) => [job.id, job])), [live.jobs]);
  // Ids the stream has shown: one of them gone again was removed (or expired).
  const seen = useRef(new Set<string>());
  for (const job of live.jobs) seen.current.add(job.id);
  const [shownSince, setShownSince] = useState(() => Date.parse(readAt));
  const onPage = useMemo(() => new Set(jobs.map((job) => job.id)), [jobs]);
  // Jobs that started after the page was read: announced, never inserted under the pointer.
  const added = useMemo(
    () =>
      live.jobs.reduce((sum, job) => {
        const first = Date.parse(job.startedAt ?? job.updatedAt ?? '');
        return sum + (!onPage.has(job.id) && first > shownSince ? 1 : 0);
      }, 0),
    [live.jobs, onPage, shownSince],
  );

  const showNewJobs = () => {
    // What the server renders next includes them: they are no longer new.
    setShownSince(Date.now());
    router.refresh();
  };

  // The counts of the stream's latest snapshot are newer than the server's when there are some.
  const liveTabs = useMemo(() => {
    const counts = live.counts;
    if (counts === null || live.total === null) return tabs;
    const total = live.total;
    return tabs.map((tab) => ({ ...tab, count: tab.status === null ? total : counts[tab.status] }));
  }, [tabs, live.counts, live.total]);

  // What "cancel all running" stops: the same statuses as the action (a busy job may read
  // stalled for a moment between two writes). From the scope's counts, never from the rows:
  // the stream holds the first page and what changed since, not every job of the scope.
  const liveCounts = live.counts;
  const activeCount =
    liveCounts !== null
      ? [...ACTIVE].reduce((sum, status) => sum + liveCounts[status], 0)
      : countOf(tabs, 'running') + countOf(tabs, 'stalled');

  const sortHref = (column: JobSort) => {
    const nextOrder =
      column === sort ? (order === 'asc' ? 'desc' : 'asc') : SORT_DEFAULT_ORDER[column];
    return `${scopeHref(scopeKey)}${query({ status, name, sort: column, order: nextOrder })}`;
  };
  const header = (column: JobSort, label: string, className?: string) => (
    <th
      scope="col"
      className={className}
      aria-sort={column === sort ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <Link href={sortHref(column)}>
        {label}
        {column === sort ? (order === 'asc' ? ' ↑' : ' ↓') : ''}
      </Link>
    </th>
  );

  return (
    <>
      <div className="toolbar">
        <StatusTabs tabs={liveTabs} current={status} />
        <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
          {added > 0 && (
            <button type="button" className="button" onClick={showNewJobs}>
              {formatCountOf(added, 'new job')} · Show
            </button>
          )}
          <span className="live" data-state={live.connection} aria-live="polite">
            {CONNECTION_LABELS[live.connection] ?? live.connection}
          </span>
        </div>
      </div>
      <BulkActions scopeKey={scopeKey} running={activeCount} failed={countOf(liveTabs, 'failed')} />
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              {header('name', 'Job')}
              <th scope="col">Status</th>
              {header('percentage', 'Progress')}
              <th scope="col" className="num">
                Done
              </th>
              <th scope="col" className="num">
                Rate
              </th>
              <th scope="col">ETA</th>
              {header('startedAt', 'Started')}
              {header('updatedAt', 'Finished')}
              <th scope="col" className="num">
                Elapsed
              </th>
              <th scope="col" className="num">
                Errors
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((initial) => {
              const job = byId.get(initial.id);
              // Shown by the stream and gone since: removed or expired.
              const removed = job === undefined && seen.current.has(initial.id);
              return (
                <JobRow
                  key={initial.id}
                  job={job ?? initial}
                  scopeKey={scopeKey}
                  removed={removed}
                />
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

const ACTIVE: ReadonlySet<Status> = new Set(['running', 'started', 'stalled']);

function countOf(tabs: readonly StatusTab[], status: Status): number {
  return tabs.find((tab) => tab.status === status)?.count ?? 0;
}

const CONNECTION_LABELS: Record<string, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Live (polling)',
  offline: 'Offline: reconnecting…',
};

function JobRow({
  job,
  scopeKey,
  removed,
}: {
  readonly job: TableJob;
  readonly scopeKey: string;
  readonly removed: boolean;
}) {
  const now = useNow();
  const finishedAt = job.completedAt ?? job.failedAt ?? job.cancelledAt;
  const running = finishedAt === null && job.startedAt !== null;
  const elapsedMs =
    running && now !== null
      ? Math.max(0, now.getTime() - Date.parse(job.startedAt ?? ''))
      : job.elapsedMs;
  return (
    <tr data-job-id={job.id} style={removed ? { opacity: 0.5 } : undefined}>
      <td>
        <input
          type="checkbox"
          name="id"
          value={job.id}
          form={BULK_FORM}
          aria-label={`Select ${job.name}`}
        />
      </td>
      <td className="name-cell">
        {/* Not prefetched: a page of 50 rows in view would ask the server for 50 job pages. */}
        <Link href={jobHref(scopeKey, job.id)} className="job-name" prefetch={false}>
          {job.name}
        </Link>
        {job.queue !== null && job.jobId !== null && (
          <div className="job-ref mono">
            {job.queue} #{job.jobId}
          </div>
        )}
        {removed && <div className="muted">Removed</div>}
        {job.errorMessage !== null && <div className="failure">{job.errorMessage}</div>}
      </td>
      <td>
        <StatusBadge
          status={job.status}
          {...(job.cancelRequested ? { label: 'Cancel requested' } : {})}
        />
      </td>
      <td>
        <div className="progress">
          <ProgressBar job={job} />
          <span className="progress-label">{formatJobPercentage(job)}</span>
        </div>
        {job.history.length > 1 && (
          <div className="muted mono pace" title="Pace over the job's history">
            {/* Decorative: the bar and the counts say the same in words. */}
            <span aria-hidden="true">{sparkline(job.history, 12)}</span>
          </div>
        )}
      </td>
      <td className="num">
        {formatCount(job.count)}
        <span className="muted"> / {job.total === null ? '?' : formatCount(job.total)}</span>
      </td>
      <td className="num">{formatRate(job.ratePerSecond)}</td>
      <td>
        {finishedAt === null ? (
          <Eta value={job.eta} unknownLabel="—" />
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <RelativeTime value={job.startedAt} empty="Not started" />
      </td>
      <td>
        {finishedAt !== null ? (
          <RelativeTime value={finishedAt} />
        ) : (
          <span className="muted">
            updated <RelativeTime value={job.updatedAt} empty="never" />
          </span>
        )}
      </td>
      <td className="num">
        {job.startedAt === null ? <span className="muted">—</span> : formatDuration(elapsedMs)}
      </td>
      <td className="num">
        {job.errorCount > 0 ? (
          <span className="count" data-status="failed">
            {formatCount(job.errorCount)}
          </span>
        ) : (
          <span className="zero">0</span>
        )}
      </td>
    </tr>
  );
}
