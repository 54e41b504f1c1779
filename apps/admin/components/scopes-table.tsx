import Link from 'next/link';
import { ProgressrusArgumentError, type ScopeDTO } from 'progressrus';
import { listScopes, SHOWN_STATUSES } from '@/lib/data';
import { formatCount } from '@/lib/format';
import { letShellFlush } from '@/lib/let-shell-flush';
import { query, scopeHref } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';
import { RelativeTime } from './relative-time';
import { StoreUnavailable } from './store-unavailable';

/**
 * Cursor pages only know the way forward, so the links carry the cursors of the pages before
 * (`back`, comma-separated); this marks the first page, which has none. `~` is outside the
 * base64url alphabet of cursors.
 */
const FIRST_PAGE = '~';

const LABELS = {
  running: 'Running',
  stalled: 'Stalled',
  failed: 'Failed',
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
  const previous = back.length > 0 ? back[back.length - 1] : undefined;
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
          {page.items.length} scope{page.items.length === 1 ? '' : 's'} on this page
          {prefix !== '' && (
            <>
              {' '}
              starting with <code>{prefix}</code>
            </>
          )}
        </span>
        <nav aria-label="Pages">
          {previous === undefined ? (
            <span className="button disabled">← Newer</span>
          ) : (
            <Link
              className="button"
              href={`/${query({
                prefix,
                cursor: previous === FIRST_PAGE ? null : previous,
                back: back.slice(0, -1).join(','),
              })}`}
            >
              ← Newer
            </Link>
          )}
          {page.nextCursor === null ? (
            <span className="button disabled">Older →</span>
          ) : (
            <Link
              className="button"
              href={`/${query({ prefix, cursor: page.nextCursor, back: [...back, cursor ?? FIRST_PAGE].join(',') })}`}
            >
              Older →
            </Link>
          )}
        </nav>
      </div>
    </>
  );
}

function ScopeRow({ scope }: { readonly scope: ScopeDTO }) {
  const counts = scope.counts ?? {};
  const total = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
  return (
    <tr>
      <td>
        <Link href={scopeHref(scope.key)} className="mono">
          {scope.key}
        </Link>
      </td>
      {SHOWN_STATUSES.map((status) => {
        const count = counts[status] ?? 0;
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
