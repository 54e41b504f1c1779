import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ProgressrusArgumentError } from 'progressrus';
import { type JobsQuery, SHOWN_STATUSES, scopeJobs } from '@/lib/data';
import { formatCount, formatCountOf } from '@/lib/format';
import { letShellFlush } from '@/lib/let-shell-flush';
import { query, scopeHref } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';
import { toTableJob } from '@/lib/table-job';
import { CursorPager } from './cursor-pager';
import { JobTable } from './job-table';
import { type StatusTab, StatusTabs } from './status-tabs';
import { StoreUnavailable } from './store-unavailable';

const LABELS = {
  queued: 'Queued',
  running: 'Running',
  stalled: 'Stalled',
  failed: 'Failed',
  cancelled: 'Cancelled',
  completed: 'Completed',
} as const;

/**
 * The status tabs, the live table and the pages of one scope; reads the store inside
 * Suspense. One page and the counts come from the store's query: the page costs the same
 * for a scope of ten jobs or of a million.
 */
export async function ScopeJobs({
  scopeKey,
  jobsQuery,
  back,
}: {
  readonly scopeKey: string;
  readonly jobsQuery: JobsQuery;
  readonly back: readonly string[];
}) {
  await letShellFlush();
  const { status, name, sort, order, cursor } = jobsQuery;
  const href = (values: { status?: string | null; cursor?: string | null; back?: string }) =>
    `${scopeHref(scopeKey)}${query({
      status: values.status === undefined ? status : values.status,
      name,
      sort: sort === 'updatedAt' ? null : sort,
      order: sort === 'updatedAt' && order === 'desc' ? null : order,
      cursor: values.cursor,
      back: values.back,
    })}`;
  let data: Awaited<ReturnType<typeof scopeJobs>>;
  try {
    data = await scopeJobs(scopeKey, jobsQuery);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <StoreUnavailable message={error.message} />;
    if (error instanceof ProgressrusArgumentError) {
      return (
        <div className="empty">
          <h2>This page link has expired</h2>
          <p>
            <Link href={href({})}>Go to the first page</Link>
          </p>
        </div>
      );
    }
    throw error;
  }
  if (data === null) notFound();
  const tabs: StatusTab[] = [
    { status: null, label: 'All', href: href({ status: null }), count: data.total },
    ...SHOWN_STATUSES.map((shown) => ({
      status: shown,
      label: LABELS[shown],
      href: href({ status: shown }),
      count: data.counts[shown],
    })),
  ];
  // Without a name filter the counts say how many jobs the filter matches.
  const matching = name !== '' ? null : status === null ? data.total : data.counts[status];
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
          <h2>
            No {status ?? ''} jobs{name !== '' ? ` named “${name}…”` : ''}
            {cursor !== null ? ' on this page' : ''}
          </h2>
          <p>
            <Link href={href({ status: null })}>Show all {formatCount(data.total)} jobs</Link>
          </p>
        </div>
      ) : (
        <JobTable
          tabs={tabs}
          scopeKey={data.key}
          jobs={data.items.map(toTableJob)}
          readAt={data.readAt}
          status={status}
          sort={sort}
          order={order}
          name={name}
        />
      )}
      {data.items.length > 0 && (
        <div className="pagination">
          <span>
            {formatCountOf(data.items.length, 'job')} on this page
            {matching !== null && <> of {formatCount(matching)}</>}
          </span>
          <CursorPager
            cursor={cursor}
            nextCursor={data.nextCursor}
            back={back}
            href={(page) => href(page)}
            labels={['← Previous', 'Next →']}
          />
        </div>
      )}
    </>
  );
}
