'use client';

import { ProgressBar, StatusBadge, useProgress } from '@progressrus/ui';
import Link from 'next/link';
import type { JobDTO } from 'progressrus';
import { formatJobPercentage } from '@/lib/format';
import { jobHref } from '@/lib/search-params';

/** The children of a flow parent, each with its own live bar and a link to its page. */
export function FlowChildren({
  scopeKey,
  ids,
  initial,
}: {
  readonly scopeKey: string;
  /** Every child's record id, whether it has written a record yet or not. */
  readonly ids: readonly string[];
  readonly initial: readonly JobDTO[];
}) {
  const live = useProgress(scopeKey, { url: '/api/progress' });
  const byId = new Map([...initial, ...live.jobs].map((job) => [job.id, job]));
  return (
    <ul className="flow-children" aria-label="Children">
      {ids.map((id) => {
        const job = byId.get(id);
        if (job === undefined) {
          return (
            <li key={id} data-job-id={id}>
              <Link href={jobHref(scopeKey, id)} className="job-name mono">
                {id}
              </Link>
              <span className="muted">No record yet</span>
              <span />
            </li>
          );
        }
        return (
          <li key={job.id} data-job-id={job.id}>
            <Link href={jobHref(scopeKey, job.id)} className="job-name">
              {job.name}
            </Link>
            <StatusBadge status={job.status} />
            <div className="progress">
              <ProgressBar job={job} />
              <span className="progress-label">{formatJobPercentage(job)}</span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
