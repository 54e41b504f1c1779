import { formatQueuePosition } from '@/lib/format';
import { type BullJobInfo, bullBoardJobUrl, bullJobInfo } from '@/lib/queues';
import { StoreUnavailableError, withStore } from '@/lib/store';

/** What BullMQ knows about the job (attempts, state), with a link to it in bull-board. */
export async function BullJob({
  queue,
  jobId,
}: {
  readonly queue: string | null;
  readonly jobId: string | null;
}) {
  if (queue === null || jobId === null) {
    return <p className="muted">This job was not run by a BullMQ worker.</p>;
  }
  const url = bullBoardJobUrl(queue, jobId);
  if (url === null) {
    return (
      <p className="muted">
        Queue <code>{queue}</code> is not shown in bull-board: add it to{' '}
        <code>PROGRESSRUS_QUEUES</code>.
      </p>
    );
  }
  let info: BullJobInfo | null;
  try {
    info = await withStore(() => bullJobInfo(queue, jobId));
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <p className="failure">{error.message}</p>;
    throw error;
  }
  return (
    <>
      {info === null ? (
        <p className="muted">BullMQ no longer holds this job (it was removed after it finished).</p>
      ) : (
        <dl className="fields">
          <dt>State</dt>
          <dd>{info.state}</dd>
          {info.position !== null && (
            <>
              <dt>In queue</dt>
              <dd data-testid="queue-position">{formatQueuePosition(info.position, Date.now())}</dd>
            </>
          )}
          <dt>Attempts</dt>
          <dd>
            {info.attemptsMade} of {info.attempts} allowed
          </dd>
          {info.failedReason !== null && (
            <>
              <dt>Failed reason</dt>
              <dd className="failure">{info.failedReason}</dd>
            </>
          )}
        </dl>
      )}
      <p style={{ marginBottom: 0 }}>
        <a className="button" href={url}>
          Open in bull-board →
        </a>
      </p>
    </>
  );
}
