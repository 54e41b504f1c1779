import { findJob } from '@/lib/data';
import { flowChildIds } from '@/lib/queues';
import { StoreUnavailableError, withStore } from '@/lib/store';
import { FlowChildren } from './flow-children';

/** A flow parent's children (read from BullMQ, their records from the store); nothing for other jobs. */
export async function FlowChildrenSection({
  scopeKey,
  queue,
  jobId,
}: {
  readonly scopeKey: string;
  readonly queue: string | null;
  readonly jobId: string | null;
}) {
  if (queue === null || jobId === null) return null;
  try {
    const ids = await withStore(() => flowChildIds(queue, jobId));
    if (ids.length === 0) return null;
    const children = (await Promise.all(ids.map((id) => findJob(scopeKey, id)))).filter(
      (child) => child !== null,
    );
    return (
      <div className="card section">
        <h2>Children ({ids.length})</h2>
        <FlowChildren scopeKey={scopeKey} ids={ids} initial={children} />
      </div>
    );
  } catch (error) {
    if (error instanceof StoreUnavailableError) return <p className="failure">{error.message}</p>;
    throw error;
  }
}
