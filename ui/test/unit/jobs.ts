import type { JobDTO } from 'progressrus';

/** A running job as the HTTP API would serve it; override what the test is about. */
export function makeJob(overrides: Partial<JobDTO> & { id: string }): JobDTO {
  return {
    name: overrides.id,
    scope: ['user', '3421'],
    status: 'running',
    count: 0,
    total: 100,
    percentage: 0,
    errorCount: 0,
    params: {},
    startedAt: '2026-11-27T20:00:00.000Z',
    updatedAt: '2026-11-27T20:00:00.000Z',
    completedAt: null,
    failedAt: null,
    expiresAt: null,
    stalledAt: null,
    eta: null,
    elapsedMs: 0,
    ratePerSecond: null,
    errorMessage: null,
    queue: null,
    jobId: null,
    attempt: null,
    actions: [],
    cancelRequested: false,
    cancelledAt: null,
    history: [],
    typicalDurationMs: null,
    ...overrides,
  };
}
