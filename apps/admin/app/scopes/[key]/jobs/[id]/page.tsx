import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { BullJob } from '@/components/bull-job';
import { ConfirmAction } from '@/components/confirm-action';
import { JobDetails } from '@/components/job-details';
import { DetailsSkeleton } from '@/components/skeletons';
import { StoreUnavailable } from '@/components/store-unavailable';
import { deleteJob } from '@/lib/actions';
import { findJob } from '@/lib/data';
import { scopeHref } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';

interface Props {
  readonly params: Promise<{ key: string; id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Job ${decodeURIComponent(id)}` };
}

export default async function JobPage({ params }: Props) {
  const raw = await params;
  const key = decodeURIComponent(raw.key);
  const id = decodeURIComponent(raw.id);
  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link href="/">Scopes</Link>
            <span aria-hidden="true">/</span>
            <Link href={scopeHref(key)} className="mono">
              {key}
            </Link>
            <span aria-hidden="true">/</span>
          </div>
          <h1 className="mono">{id}</h1>
        </div>
        <ConfirmAction
          action={deleteJob}
          fields={{ scope: key, id }}
          label="Delete record"
          title="Delete this job record?"
          description={
            <p>
              The progress record <code>{id}</code> is deleted from <code>{key}</code>. A job that is still running
              writes it again at its next update. The BullMQ job itself is not touched.
            </p>
          }
          confirmLabel="Delete"
        />
      </div>
      <Suspense fallback={<DetailsSkeleton />}>
        <JobSection scopeKey={key} id={id} />
      </Suspense>
    </>
  );
}

async function JobSection({ scopeKey, id }: { readonly scopeKey: string; readonly id: string }) {
  let job: Awaited<ReturnType<typeof findJob>>;
  try {
    job = await findJob(scopeKey, id);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <StoreUnavailable message={error.message} />;
    throw error;
  }
  if (job === null) notFound();
  return (
    <div className="grid">
      <JobDetails scopeKey={scopeKey} initial={job} />
      <div className="card section">
        <h2>BullMQ</h2>
        <Suspense fallback={<span className="skeleton" style={{ width: '60%' }} />}>
          <BullJob queue={job.queue} jobId={job.jobId} />
        </Suspense>
      </div>
    </div>
  );
}
