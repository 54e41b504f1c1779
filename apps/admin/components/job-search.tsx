import Form from 'next/form';
import type { JobsQuery } from '@/lib/data';
import { query as searchQuery, scopeHref } from '@/lib/search-params';

/**
 * The name search of a scope page: a GET form, so the search lives in the URL and works
 * without JavaScript. It keeps the status filter and the sort, and starts at the first page.
 */
export function JobSearch({
  scopeKey,
  query,
}: {
  readonly scopeKey: string;
  readonly query: JobsQuery;
}) {
  const href = scopeHref(scopeKey);
  return (
    <Form action={href} className="filter job-search" role="search">
      <label htmlFor="job-search" className="muted">
        Job name
      </label>
      <input
        id="job-search"
        type="search"
        name="name"
        defaultValue={query.name}
        placeholder="Starts with… (any case)"
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
      />
      {query.status !== null && <input type="hidden" name="status" value={query.status} />}
      {query.sort !== 'updatedAt' && <input type="hidden" name="sort" value={query.sort} />}
      {query.order !== 'desc' && <input type="hidden" name="order" value={query.order} />}
      <button type="submit" className="button">
        Search
      </button>
      {query.name !== '' && (
        <a
          className="button"
          href={`${href}${searchQuery({
            status: query.status,
            sort: query.sort === 'updatedAt' ? null : query.sort,
            order: query.order === 'desc' ? null : query.order,
          })}`}
        >
          Clear
        </a>
      )}
    </Form>
  );
}
