import Link from 'next/link';
import { ProgressrusArgumentError, type ScopeDTO } from 'progressrus';
import { listScopes, SHOWN_STATUSES } from '@/lib/data';
import { formatCount, formatCountOf } from '@/lib/format';
import { letShellFlush } from '@/lib/let-shell-flush';
import { query, scopeHref } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';
import { CursorPager } from './cursor-pager';
import { RelativeTime } from './relative-time';
import { StoreUnavailable } from './store-unavailable';

const LABELS = {
  queued: 'Queued',
  running: 'Running',
  stalled: 'Stalled',
  failed: 'Failed',
  cancelled: 'Cancelled',
  completed: 'Completed',
} as const;

/** One page of scopes with their counts; reads the store itself, inside the page's Suspense. */
export async function ScopesTable({
  prefix,
  cursor,
  back,
}: {
  readonly prefix: string;
  readonly cursor: string | null;
  readonly back: readonly string[];
}) {
  await letShellFlush();
  let page: Awaited<ReturnType<typeof listScopes>>;
  try {
    page = await listScopes({ prefix, cursor });
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <StoreUnavailable message={error.message} />;
    if (error instanceof ProgressrusArgumentError) {
      return (
        <div className="empty">
          <h2>This page link has expired</h2>
          <p>
            <Link href={`/${query({ prefix })}`}>Go to the first page</Link>
          </p>
        </div>
      );
    }
    throw error;
  }
  if (page.items.length === 0) return <NoScopes prefix={prefix} />;
  return (
    <>
      <div className="table-wrap">
        <table className="data scopes">
          <thead>
            <tr>
              <th scope="col">Scope</th>
              {SHOWN_STATUSES.map((status) => (
                <th key={status} scope="col" className="num">
                  {LABELS[status]}
                </th>
              ))}
              <th scope="col" className="num">
                Jobs
              </th>
              <th scope="col">Last activity</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((scope) => (
              <ScopeRow key={scope.key} scope={scope} />
            ))}
          </tbody>
        </table>
      </div>
      <div className="pagination">
        <span>
          {formatCountOf(page.items.length, 'scope')} on this page
          {prefix !== '' && (
            <>
              {' '}
              starting with <code>{prefix}</code>
            </>
          )}
        </span>
        <CursorPager
          cursor={cursor}
          nextCursor={page.nextCursor}
          back={back}
          href={(target) => `/${query({ prefix, cursor: target.cursor, back: target.back })}`}
          labels={['← Newer', 'Older →']}
        />
      </div>
    </>
  );
}

function ScopeRow({ scope }: { readonly scope: ScopeDTO }) {
  const { counts, total } = scope;
  return (
    <tr>
      <td>
        <Link href={scopeHref(scope.key)} className="mono">
          {scope.key}
        </Link>
      </td>
      {SHOWN_STATUSES.map((status) => {
        const count = counts[status];
        return (
          <td key={status} className="num" data-status={count > 0 ? status : undefined}>
            <span className={count > 0 ? 'count' : 'zero'}>{formatCount(count)}</span>
          </td>
        );
      })}
      <td className="num">{formatCount(total)}</td>
      <td>
        <RelativeTime value={scope.lastActivityAt} />
      </td>
    </tr>
  );
}

function NoScopes({ prefix }: { readonly prefix: string }) {
  if (prefix !== '') {
    return (
      <div className="empty">
        <h2>
          No scope starts with <code>{prefix}</code>
        </h2>
        <p>
          Scopes are keys like <code>user:3421</code>. Try a shorter prefix, or{' '}
          <Link href="/">show every scope</Link>.
        </p>
      </div>
    );
  }
  return (
    <div className="empty">
      <h2>No jobs yet</h2>
      <p>
        Scopes appear here as soon as a job reports progress, for example with{' '}
        <code>new Progresser(&#123; scope: [&apos;user&apos;, 3421], store &#125;)</code> or a{' '}
        <code>ProgressWorker</code>. Finished jobs disappear when their retention ends.
      </p>
    </div>
  );
}
