import { Suspense } from 'react';
import { parseBack } from '@/components/cursor-pager';
import { ScopeFilter } from '@/components/scope-filter';
import { ScopesTable } from '@/components/scopes-table';
import { TableSkeleton } from '@/components/skeletons';
import { param, type SearchParams } from '@/lib/search-params';

export default async function ScopesPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const prefix = (param(params, 'prefix') ?? '').trim();
  const cursor = param(params, 'cursor') || null;
  const back = parseBack(param(params, 'back'));
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Scopes</h1>
          <p className="subtitle">Every group of jobs, most recently active first.</p>
        </div>
        <ScopeFilter prefix={prefix} />
      </div>
      <div className="card">
        <Suspense key={`${prefix}\n${cursor}`} fallback={<TableSkeleton />}>
          <ScopesTable prefix={prefix} cursor={cursor} back={back} />
        </Suspense>
      </div>
    </>
  );
}
