import type { JobActionName, Status } from './record.js';
import type { Scope } from './scope.js';

/**
 * What an action did:
 * - `cancelled`: the job was waiting (queued, delayed, prioritized) and left its queue;
 * - `cancel-requested`: the job runs; its worker was asked to abort it (the record reads
 *   `cancelled` once the processor honours the AbortSignal);
 * - `retried`: the job is back in its queue, its record `queued`;
 * - `unchanged`: nothing to do (already cancelled or finished): actions are idempotent.
 */
export type ActionOutcome = 'cancelled' | 'cancel-requested' | 'retried' | 'unchanged';

export interface ActionResult {
  readonly id: string;
  readonly action: JobActionName;
  readonly outcome: ActionOutcome;
  /** The record's status after the action. */
  readonly status: Status;
}

/**
 * Carries out cancels and retries: the one code path behind the admin's buttons and the HTTP
 * handler's POST routes. `JobActions` (progressrus/bullmq) implements it for BullMQ jobs.
 * Throws `JobNotFoundError` for a job its scope does not hold, `JobActionRefusedError` for an
 * action the job's state does not allow.
 */
export interface JobActor {
  act(action: JobActionName, scope: Scope, id: string): Promise<ActionResult>;
}
