import Link from 'next/link';
import { notFound } from 'next/navigation';
import { JOBS_PER_PAGE, type JobsQuery, SHOWN_STATUSES, scopeJobs } from '@/lib/data';
import { formatCount } from '@/lib/format';
import { letShellFlush } from '@/lib/let-shell-flush';
import { query, scopeHref } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';
import { JobTable } from './job-table';
import { type StatusTab, StatusTabs } from './status-tabs';
import { StoreUnavailable } from './store-unavailable';

const LABELS = {
  running: 'Running',
  stalled: 'Stalled',
  failed: 'Failed',
  completed: 'Completed',
} as const;

/** The status tabs, the live table and the pages of one scope; reads the store inside Suspense. */
export async function ScopeJobs({
  scopeKey,
  jobsQuery,
}: {
  readonly scopeKey: string;
  readonly jobsQuery: JobsQuery;
}) {
  await letShellFlush();
  let data: Awaited<ReturnType<typeof scopeJobs>>;
  try {
    data = await scopeJobs(scopeKey, jobsQuery);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <StoreUnavailable message={error.message} />;
    throw error;
  }
  if (data === null) notFound();
  const { status, sort, order } = jobsQuery;
  const href = (values: { status?: string | null; page?: number }) =>
    `${scopeHref(data.key)}${query({
      status: values.status === undefined ? status : values.status,
      sort: sort === 'updatedAt' ? null : sort,
      order: sort === 'updatedAt' && order === 'desc' ? null : order,
      page: values.page === undefined || values.page === 1 ? null : values.page,
    })}`;
  const tabs: StatusTab[] = [
    { status: null, label: 'All', href: href({ status: null }), count: data.total },
    ...SHOWN_STATUSES.map((shown) => ({
      status: shown,
      label: LABELS[shown],
      href: href({ status: shown }),
      count: data.counts[shown] ?? 0,
    })),
  ];
  return (
    <>
      {data.items.length === 0 && (
        <div className="toolbar">
          <StatusTabs tabs={tabs} current={status} />
        </div>
      )}
      {data.total === 0 ? (
        <div className="empty">
          <h2>No jobs in this scope</h2>
          <p>
            Its jobs have finished and expired, or were removed.{' '}
            <Link href="/">Back to every scope</Link>.
          </p>
        </div>
      ) : data.items.length === 0 ? (
        <div className="empty">
          <h2>No {status} jobs</h2>
          <p>
            <Link href={href({ status: null })}>Show all {formatCount(data.total)} jobs</Link>
          </p>
        </div>
      ) : (
        <JobTable
          tabs={tabs}
          scopeKey={data.key}
          jobs={data.items}
          status={status}
          sort={sort}
          order={order}
        />
      )}
      {data.matching > 0 && (
        <div className="pagination">
          <span>
            {formatCount((data.page - 1) * JOBS_PER_PAGE + 1)}–
            {formatCount((data.page - 1) * JOBS_PER_PAGE + data.items.length)} of{' '}
            {formatCount(data.matching)} job{data.matching === 1 ? '' : 's'}
          </span>
          <nav aria-label="Pages">
            {data.page > 1 ? (
              <Link className="button" href={href({ page: data.page - 1 })}>
                ← Previous
              </Link>
            ) : (
              <span className="button disabled">← Previous</span>
            )}
            <span className="muted" style={{ alignSelf: 'center' }}>
              Page {data.page} of {data.pageCount}
            </span>
            {data.page < data.pageCount ? (
              <Link className="button" href={href({ page: data.page + 1 })}>
                Next →
              </Link>
            ) : (
              <span className="button disabled">Next →</span>
            )}
          </nav>
        </div>
      )}
    </>
  );
}
