'use client';

import { useActionState } from 'react';
import { actOnJobs } from '@/lib/actions';
import { formatCountOf } from '@/lib/format';
import { ConfirmAction } from './confirm-action';

/** The id of the form the rows' checkboxes belong to (they sit in the table, outside it). */
export const BULK_FORM = 'bulk-actions';

/**
 * Actions on many jobs of a scope: on the rows selected with their checkboxes, or on every
 * running (failed) job after a confirmation that shows how many. The same Server Action and
 * JobActions as one job's buttons.
 */
export function BulkActions({
  scopeKey,
  running,
  failed,
}: {
  readonly scopeKey: string;
  readonly running: number;
  readonly failed: number;
}) {
  const [result, run, pending] = useActionState(actOnJobs, null);
  return (
    <div className="toolbar bulk-actions">
      <form id={BULK_FORM} action={run} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <input type="hidden" name="scope" value={scopeKey} />
        <button type="submit" name="action" value="cancel" className="button" disabled={pending}>
          Cancel selected
        </button>
        <button type="submit" name="action" value="retry" className="button" disabled={pending}>
          Retry selected
        </button>
        {result !== null && (
          <span role="status" className={result.ok ? 'muted' : 'failure'}>
            {result.message}
          </span>
        )}
      </form>
      <div style={{ display: 'flex', gap: 8 }}>
        {running > 0 && (
          <ConfirmAction
            action={actOnJobs}
            fields={{ scope: scopeKey, action: 'cancel', all: 'yes' }}
            label={`Cancel all running (${running})`}
            title={`Cancel ${formatCountOf(running, 'running job')}?`}
            description={
              <p>
                Every running job of <code>{scopeKey}</code> is asked to stop:{' '}
                {formatCountOf(running, 'job')}. Their processors get an abort signal; each record
                reads cancelled once its processor has stopped.
              </p>
            }
            confirmLabel={`Cancel ${formatCountOf(running, 'job')}`}
          />
        )}
        {failed > 0 && (
          <ConfirmAction
            action={actOnJobs}
            fields={{ scope: scopeKey, action: 'retry', all: 'yes' }}
            label={`Retry all failed (${failed})`}
            title={`Retry ${formatCountOf(failed, 'failed job')}?`}
            description={
              <p>
                Every failed job of <code>{scopeKey}</code> goes back to its queue:{' '}
                {formatCountOf(failed, 'job')}.
              </p>
            }
            confirmLabel={`Retry ${formatCountOf(failed, 'job')}`}
          />
        )}
      </div>
    </div>
  );
}
