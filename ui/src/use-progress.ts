'use client';

import type { JobDTO } from 'progressrus/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { liveStatus, withLiveStatus } from './live-status.js';
import { type ProgressOptions, resolveProgressOptions } from './progress-options.js';
import { type ProgressState, ProgressSubscription } from './progress-subscription.js';
import { type ProgressTarget, resolveTarget } from './progress-target.js';
import { useNow } from './use-now.js';

export interface UseProgressOptions extends ProgressOptions {
  /** Jobs the server already rendered (e.g. from a Server Component), shown until the first answer. */
  readonly initialJobs?: readonly JobDTO[];
}

/**
 * Follows the jobs of a scope, or one job, live: Server-Sent Events from the
 * `progressrus/http` handler, polling when the stream is unavailable, reconnecting with
 * backoff. Re-subscribes when the target or `url` change; a new `token` (renewed before the
 * old one expires) is taken over by the running subscription, which keeps its jobs and resumes.
 *
 * @example
 * const { jobs, connection } = useProgress(['user', userId], { url: '/api/progress', token });
 * const { job } = useProgress({ scope: 'user:3421', id: exportId }, { url: '/api/progress' });
 */
export function useProgress(target: ProgressTarget, options: UseProgressOptions): ProgressState {
  // Checked on every render so a bad argument throws at the call, not later in an effect.
  const resolvedTarget = resolveTarget(target);
  const resolved = resolveProgressOptions(options);
  const key = JSON.stringify([
    resolvedTarget.scope,
    resolvedTarget.id,
    resolved.url,
    resolved.pollIntervalMs,
    resolved.reconnectDelayMs,
    resolved.maxReconnectDelayMs,
    resolved.failuresBeforePolling,
  ]);
  // Functions and classes (EventSource, fetch, clock, initial jobs) are taken as they are when
  // the subscription starts; a new identity on each render must not reconnect.
  const latest = useRef({ resolvedTarget, resolved, initialJobs: options.initialJobs });
  latest.current = { resolvedTarget, resolved, initialJobs: options.initialJobs };
  const subscription = useRef<ProgressSubscription | null>(null);
  // Constructing a subscription has no side effects (start() has): a cheap way to the initial state.
  const [state, setState] = useState<{ key: string; state: ProgressState }>(() => ({
    key,
    state: new ProgressSubscription(resolvedTarget, resolved, options.initialJobs).state,
  }));

  useEffect(() => {
    const { resolvedTarget, resolved, initialJobs } = latest.current;
    const current = new ProgressSubscription(resolvedTarget, resolved, initialJobs);
    subscription.current = current;
    setState({ key, state: current.state });
    const unsubscribe = current.subscribe((next) => setState({ key, state: next }));
    current.start();
    return () => {
      unsubscribe();
      current.close();
      subscription.current = null;
    };
  }, [key]);

  // Declared after the effect above, so a subscription that has just started already has it.
  useEffect(() => {
    subscription.current?.setToken(resolved.token);
  }, [resolved.token]);

  // A job that goes quiet sends no event: re-derive `stalled` as time passes.
  const now = useNow();
  const current = state.state;
  const jobs = useMemo(() => withLiveStatus(current.jobs, now), [current.jobs, now]);
  const job = current.job;
  const jobStatus = job ? liveStatus(job, now) : null;
  const live = useMemo(
    () => ({
      ...current,
      jobs,
      job: job && jobStatus !== job.status ? { ...job, status: jobStatus ?? job.status } : job,
    }),
    [current, jobs, job, jobStatus],
  );

  // Until the effect of a new key has run, the old target's state must not show.
  if (state.key !== key) {
    return new ProgressSubscription(resolvedTarget, resolved, options.initialJobs).state;
  }
  return live;
}
