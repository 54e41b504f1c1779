import { EXPLICIT_STATES, type ExplicitState, type ProgressRecord } from './record.js';
import type { Tick } from './tick.js';

/**
 * The record behind a snapshot, to write it back changed (an action on a job). The explicit
 * state is the status when the status is one; derived ones (running, stalled…) have none.
 */
export function recordOf(tick: Tick): ProgressRecord {
  const state = (EXPLICIT_STATES as readonly string[]).includes(tick.status)
    ? (tick.status as ExplicitState)
    : null;
  return {
    id: tick.id,
    name: tick.name,
    scope: tick.scope,
    startedAt: tick.startedAt,
    completedAt: tick.completedAt,
    failedAt: tick.failedAt,
    expiresAt: tick.expiresAt,
    count: tick.count,
    total: tick.total,
    params: tick.params,
    errorCount: tick.errorCount,
    updatedAt: tick.updatedAt,
    ratePerSecond: tick.ratePerSecond,
    intervalMs: tick.intervalMs,
    state,
    errorMessage: tick.errorMessage,
    queue: tick.queue,
    jobId: tick.jobId,
    attempt: tick.attempt,
    actions: tick.actions,
  };
}
