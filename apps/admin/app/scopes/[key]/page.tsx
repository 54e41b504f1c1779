import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { STATUSES, type Status } from 'progressrus';
import { Suspense } from 'react';
import { ConfirmAction } from '@/components/confirm-action';
import { ScopeJobs } from '@/components/scope-jobs';
import { TableSkeleton } from '@/components/skeletons';
import { deleteFinished } from '@/lib/actions';
import { parseBack } from '@/components/cursor-pager';
import { JobSearch } from '@/components/job-search';
import { JOB_SORTS, type JobSort, type JobsQuery, parseKey } from '@/lib/data';
import { env } from '@/lib/env';
import { portalLink } from '@/lib/portal-link';
import { param, type SearchParams, segment } from '@/lib/search-params';

interface Props {
  readonly params: Promise<{ key: string }>;
  readonly searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: segment((await params).key) };
}

export default async function ScopePage({ params, searchParams }: Props) {
  const key = segment((await params).key);
  if (parseKey(key) === null) notFound();
  const search = await searchParams;
  const status = param(search, 'status');
  const sort = param(search, 'sort');
  const order = param(search, 'order');
  const jobsQuery: JobsQuery = {
    status: STATUSES.includes(status as Status) ? (status as Status) : null,
    name: (param(search, 'name') ?? '').trim(),
    sort: JOB_SORTS.includes(sort as JobSort) ? (sort as JobSort) : 'updatedAt',
    order: order === 'asc' ? 'asc' : 'desc',
    cursor: param(search, 'cursor') || null,
  };
  const userView = portalLink(key, env().portalUrl);
  const back = parseBack(param(search, 'back'));
  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link href="/">Scopes</Link>
            <span aria-hidden="true">/</span>
          </div>
          <h1 className="mono">{key}</h1>
        </div>
        <div className="header-actions">
          {userView ? (
            <a className="button" href={userView} target="_blank" rel="noopener">
              What this user sees
            </a>
          ) : null}
          <ConfirmAction
            action={deleteFinished}
            fields={{ scope: key }}
            label="Delete finished jobs"
            title="Delete finished jobs?"
            description={
              <p>
                Every completed and failed job record of <code>{key}</code> is deleted now. Running
                jobs stay. The BullMQ jobs themselves are not touched.
              </p>
            }
            confirmLabel="Delete finished"
          />
        </div>
      </div>
      {param(search, 'deleted') === '1' && (
        <div className="notice ok" role="status">
          The job record was deleted.
        </div>
      )}
      <div className="card">
        <JobSearch scopeKey={key} query={jobsQuery} />
        <Suspense key={JSON.stringify(jobsQuery)} fallback={<TableSkeleton />}>
          <ScopeJobs scopeKey={key} jobsQuery={jobsQuery} back={back} />
        </Suspense>
      </div>
    </>
  );
}
