'use client';

import type { JobDTO } from 'progressrus/core';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { liveStatus, withLiveStatus } from './live-status.js';
import { type ProgressOptions, resolveProgressOptions } from './progress-options.js';
import type { ProgressState } from './progress-state.js';
import { type ProgressTarget, resolveTarget } from './progress-target.js';
import { progressKey, SharedProgress } from './shared-progress.js';
import { useNow } from './use-now.js';

export interface UseProgressOptions extends ProgressOptions {
  /** Jobs the server already rendered (e.g. from a Server Component), shown until the first answer. */
  readonly initialJobs?: readonly JobDTO[];
}

/**
 * Follows the jobs of a scope, or one job, live: Server-Sent Events from the
 * `progressrus/http` handler, polling when the stream is unavailable, reconnecting with
 * backoff. Components that follow the same target with the same options share one
 * subscription. Re-subscribes when the target or `url` change; a new `token` (renewed before
 * the old one expires) is taken over by the running subscription, which keeps its jobs and resumes.
 *
 * @example
 * const { jobs, connection } = useProgress(['user', userId], { url: '/api/progress', token });
 * const { job } = useProgress({ scope: 'user:3421', id: exportId }, { url: '/api/progress' });
 */
export function useProgress(target: ProgressTarget, options: UseProgressOptions): ProgressState {
  // Checked on every render so a bad argument throws at the call, not later in an effect.
  const resolvedTarget = resolveTarget(target);
  const resolved = resolveProgressOptions(options);
  const key = progressKey(resolvedTarget, resolved);
  // The initial jobs are taken as they are when the key's subscription starts; a new identity
  // on each render must not reconnect.
  const latest = useRef({ resolvedTarget, resolved, initialJobs: options.initialJobs });
  latest.current = { resolvedTarget, resolved, initialJobs: options.initialJobs };
  const shared = useMemo(() => {
    const { resolvedTarget, resolved, initialJobs } = latest.current;
    return new SharedProgress(key, resolvedTarget, resolved, initialJobs);
  }, [key]);
  const state = useSyncExternalStore(shared.subscribe, shared.getSnapshot, shared.getSnapshot);

  // After the store's own subscription (React subscribes first), so a started subscription gets it.
  useEffect(() => {
    shared.setToken(resolved.token);
  }, [shared, resolved.token]);

  // A job that goes quiet sends no event: re-derive `stalled` as time passes.
  const now = useNow();
  const jobs = useMemo(() => withLiveStatus(state.jobs, now), [state.jobs, now]);
  const job = state.job;
  const jobStatus = job ? liveStatus(job, now) : null;
  return useMemo(
    () => ({
      ...state,
      jobs,
      job: job && jobStatus !== job.status ? { ...job, status: jobStatus ?? job.status } : job,
    }),
    [state, jobs, job, jobStatus],
  );
}
