import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { JobDTO } from 'progressrus';
import { type ReactNode, Suspense } from 'react';
import { BullJob } from '@/components/bull-job';
import { FlowChildrenSection } from '@/components/flow-children-section';
import { ConfirmAction } from '@/components/confirm-action';
import { JobDetails } from '@/components/job-details';
import { StoreUnavailable } from '@/components/store-unavailable';
import { deleteJob } from '@/lib/actions';
import { findJob } from '@/lib/data';
import { scopeHref, segment } from '@/lib/search-params';
import { StoreUnavailableError } from '@/lib/store';

interface Props {
  readonly params: Promise<{ key: string; id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Job ${segment((await params).id)}` };
}

/** One job: every field, live; BullMQ's view of it (attempts) streams in beside it. */
export default async function JobPage({ params }: Props) {
  const raw = await params;
  const key = segment(raw.key);
  const id = segment(raw.id);
  // One HGET: read before the first byte, so the heading can carry the job's name.
  let job: JobDTO | null;
  try {
    job = await findJob(key, id);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return (
      <>
        <Heading scopeKey={key} title={id} />
        <StoreUnavailable message={error.message} />
      </>
    );
  }
  if (job === null) notFound();
  return (
    <>
      <Heading scopeKey={key} title={job.name} subtitle={job.id}>
        <ConfirmAction
          action={deleteJob}
          fields={{ scope: key, id }}
          label="Delete record"
          title="Delete this job record?"
          description={
            <p>
              The progress record of <strong>{job.name}</strong> is deleted from <code>{key}</code>.
              A job that is still running writes it again at its next update. The BullMQ job itself
              is not touched.
            </p>
          }
          confirmLabel="Delete"
        />
      </Heading>
      <div className="grid">
        {/* The children under the parent's card, at its width: the page reads top-down. */}
        <div className="stack">
          <JobDetails scopeKey={key} initial={job} />
          <Suspense fallback={null}>
            <FlowChildrenSection scopeKey={key} queue={job.queue} jobId={job.jobId} />
          </Suspense>
        </div>
        <div className="card section">
          <h2>BullMQ</h2>
          <Suspense fallback={<span className="skeleton" style={{ width: '60%' }} />}>
            <BullJob queue={job.queue} jobId={job.jobId} />
          </Suspense>
        </div>
      </div>
    </>
  );
}

function Heading({
  scopeKey,
  title,
  subtitle,
  children,
}: {
  readonly scopeKey: string;
  readonly title: string;
  readonly subtitle?: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <div className="breadcrumbs">
          <Link href="/">Scopes</Link>
          <span aria-hidden="true">/</span>
          <Link href={scopeHref(scopeKey)} className="mono">
            {scopeKey}
          </Link>
          <span aria-hidden="true">/</span>
        </div>
        <h1>{title}</h1>
        {subtitle !== undefined && <p className="subtitle mono">{subtitle}</p>}
      </div>
      {children}
    </div>
  );
}
