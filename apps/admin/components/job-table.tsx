'use client';

import { Eta, ProgressBar, StatusBadge, useNow, useProgress } from '@progressrus/ui';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { JobDTO, Status } from 'progressrus';
import { useMemo, useRef } from 'react';
import type { JobSort, SortOrder } from '@/lib/data';
import { formatCount, formatDuration, formatPercentage, formatRate } from '@/lib/format';
import { jobHref, query, scopeHref } from '@/lib/search-params';
import { RelativeTime } from './relative-time';
import { type StatusTab, StatusTabs } from './status-tabs';

export interface JobTableProps {
  /** The status filter; its counts follow the live jobs once the stream has sent them. */
  readonly tabs: readonly StatusTab[];
  readonly scopeKey: string;
  /** The page's jobs as the server read them. */
  readonly jobs: readonly JobDTO[];
  readonly status: Status | null;
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
export function JobTable({ tabs, scopeKey, jobs, status, sort, order }: JobTableProps) {
  const router = useRouter();
  // No initialJobs: `loaded` must mean "the stream's first snapshot arrived", the baseline for
  // telling new jobs and removed ones apart; until then the rows show what the server read.
  const live = useProgress(scopeKey, { url: '/api/progress' });
  const byId = useMemo(() => new Map(live.jobs.map((job) => [job.id, job])), [live.jobs]);
  // The ids the first snapshot held: any id beyond them is a job that started since.
  const known = useRef<Set<string> | null>(null);
  if (known.current === null && live.loaded)
    known.current = new Set(live.jobs.map((job) => job.id));
  const baseline = known.current;
  const added = useMemo(
    () =>
      baseline === null
        ? 0
        : live.jobs.reduce((sum, job) => sum + (baseline.has(job.id) ? 0 : 1), 0),
    [baseline, live.jobs],
  );

  const showNewJobs = () => {
    // What the server renders next includes them: they are no longer new.
    known.current = new Set(live.jobs.map((job) => job.id));
    router.refresh();
  };

  const liveTabs = useMemo(() => {
    if (!live.loaded) return tabs;
    const counts = new Map<Status, number>();
    for (const job of live.jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
    return tabs.map((tab) => ({
      ...tab,
      count: tab.status === null ? live.jobs.length : (counts.get(tab.status) ?? 0),
    }));
  }, [tabs, live.loaded, live.jobs]);

  const sortHref = (column: JobSort) => {
    const nextOrder =
      column === sort ? (order === 'asc' ? 'desc' : 'asc') : SORT_DEFAULT_ORDER[column];
    return `${scopeHref(scopeKey)}${query({ status, sort: column, order: nextOrder })}`;
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
              {added} new job{added === 1 ? '' : 's'} · Show
            </button>
          )}
          <span className="live" data-state={live.connection} aria-live="polite">
            {CONNECTION_LABELS[live.connection] ?? live.connection}
          </span>
        </div>
      </div>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
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
              // Gone from a loaded snapshot: removed or expired since the page was read.
              const removed = live.loaded && job === undefined;
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
  readonly job: JobDTO;
  readonly scopeKey: string;
  readonly removed: boolean;
}) {
  const now = useNow();
  const finishedAt = job.completedAt ?? job.failedAt;
  const running = finishedAt === null && job.startedAt !== null;
  const elapsedMs =
    running && now !== null
      ? Math.max(0, now.getTime() - Date.parse(job.startedAt ?? ''))
      : job.elapsedMs;
  return (
    <tr data-job-id={job.id} style={removed ? { opacity: 0.5 } : undefined}>
      <td className="name-cell">
        <Link href={jobHref(scopeKey, job.id)} className="job-name">
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
        <StatusBadge status={job.status} />
      </td>
      <td>
        <div className="progress">
          <ProgressBar job={job} />
          <span className="progress-label">{formatPercentage(job.percentage)}</span>
        </div>
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
