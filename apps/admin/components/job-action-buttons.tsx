'use client';

import { isCancellable } from '@progressrus/ui';
import type { JobDTO } from 'progressrus';
import { useActionState } from 'react';
import { actOnJob } from '@/lib/actions';

/**
 * Cancel (a waiting or running job) and Retry (a failed or cancelled one), shown for what the
 * job's live status allows. Each posts to a Server Action that checks the credentials again
 * and runs the same JobActions as the HTTP API; Next.js refuses a Server Action whose Origin
 * is not the app's own host (CSRF).
 */
export function JobActionButtons({
  scopeKey,
  job,
}: {
  readonly scopeKey: string;
  readonly job: JobDTO;
}) {
  const [result, run, pending] = useActionState(actOnJob, null);
  const canRetry = job.status === 'failed' || job.status === 'cancelled';
  if (!isCancellable(job) && !canRetry && result === null) return null;
  return (
    <form
      action={run}
      className="job-actions"
      style={{ display: 'flex', alignItems: 'center', gap: 12 }}
    >
      <input type="hidden" name="scope" value={scopeKey} />
      <input type="hidden" name="id" value={job.id} />
      {isCancellable(job) && (
        <button
          type="submit"
          name="action"
          value="cancel"
          className="button danger"
          disabled={pending}
        >
          {pending ? 'Working…' : 'Cancel job'}
        </button>
      )}
      {canRetry && (
        <button type="submit" name="action" value="retry" className="button" disabled={pending}>
          {pending ? 'Working…' : 'Retry job'}
        </button>
      )}
      {result !== null && (
        <span role="status" className={result.ok ? 'muted' : 'failure'}>
          {result.message}
        </span>
      )}
    </form>
  );
}
