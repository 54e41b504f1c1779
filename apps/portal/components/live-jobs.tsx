'use client';

import {
  type Connection,
  JobList,
  ProgressChart,
  ProgressHttpError,
  useProgress,
} from '@progressrus/ui';
import type { JobDTO } from 'progressrus/core';
import { useEffect, useState } from 'react';
import { renewProgressToken } from '@/lib/actions';
import type { IssuedToken } from '@/lib/progress-token';

export interface LiveJobsProps {
  /** The signed-in user's scope key, `user:3`: the only one the token reads. */
  readonly scope: string;
  /** Minted by the page (a Server Component) for this user. */
  readonly initialToken: IssuedToken;
  /** The jobs the page read on the server, shown until the live list has its own. */
  readonly initialJobs?: readonly JobDTO[] | undefined;
}

/** The token is swapped for a fresh one when this share of its lifetime has passed. */
const RENEW_AT = 2 / 3;
/** A renewal that failed (network, server restarting) is tried again after this long. */
const RETRY_MS = 2000;

const CONNECTION_LABELS: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Live (polling)',
  offline: 'Offline, retrying',
};

/**
 * The user's jobs, live over Server-Sent Events. Holds the progress token and renews it before
 * it expires (or at once when the server says it has, after a laptop slept) through a Server
 * Action; `useProgress` swaps it into the open stream without a reload or a gap.
 */
export function LiveJobs({ scope, initialToken, initialJobs }: LiveJobsProps) {
  const [issued, setIssued] = useState({ ...initialToken, receivedAt: Date.now() });
  const [renewals, setRenewals] = useState(0);
  const [ended, setEnded] = useState(false);
  const { jobs, connection, error, loaded } = useProgress(scope, {
    url: '/api/progress',
    token: issued.token,
    ...(initialJobs ? { initialJobs } : {}),
  });
  const refused = error instanceof ProgressHttpError ? error.status : null;
  // The newest job still running gets a chart: its history and its projected end.
  const latest = jobs.find((job) => job.status === 'running' || job.status === 'stalled') ?? null;

  useEffect(() => {
    if (ended) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const renew = async () => {
      try {
        const next = await renewProgressToken();
        if (cancelled) return;
        if (next === null) setEnded(true);
        else {
          setIssued({ ...next, receivedAt: Date.now() });
          setRenewals((count) => count + 1);
        }
      } catch {
        if (!cancelled) timer = setTimeout(renew, RETRY_MS);
      }
    };
    // Refused as expired (401, after a laptop slept): now, unless this token is brand new and
    // the refusal was its predecessor's; else before it expires.
    const expired = refused === 401 && Date.now() - issued.receivedAt > RETRY_MS;
    const dueInMs = expired ? 0 : issued.receivedAt + issued.expiresInMs * RENEW_AT - Date.now();
    timer = setTimeout(renew, Math.max(0, dueInMs));
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [issued, refused, ended]);

  if (ended) {
    return (
      <div className="notice error" role="alert">
        Your session has ended. <a href="/sign-in">Sign in again</a> to follow your jobs.
      </div>
    );
  }
  if (refused === 403) {
    return (
      <div className="notice error" role="alert">
        <h2>403 Forbidden: these are not your jobs</h2>
        <p>
          The progress server refused to show them (“{error?.message}”). Your access covers your own
          jobs only, whatever the page asks for.
        </p>
      </div>
    );
  }
  return (
    <section aria-labelledby="my-jobs-title" className="card">
      <div className="card-header">
        <h2 id="my-jobs-title">Your jobs</h2>
        <p className="live" data-connection={connection}>
          <span className="live-dot" aria-hidden="true" />
          <span>{CONNECTION_LABELS[connection]}</span>
          <span className="muted">
            · access renewed {renewals === 1 ? 'once' : `${renewals} times`}
          </span>
        </p>
      </div>
      {error && refused !== 401 ? (
        <p className="notice error" role="alert">
          {error.message}
        </p>
      ) : null}
      {latest ? (
        <figure className="latest">
          <ProgressChart job={latest} width={1000} height={120} />
          <figcaption>
            {latest.name}: progress so far, and where the ETA says it ends
            {latest.typicalDurationMs === null
              ? '.'
              : ` (imports like it usually take ${formatDuration(latest.typicalDurationMs)}).`}
          </figcaption>
        </figure>
      ) : null}
      {loaded ? (
        <JobList
          jobs={jobs}
          labels={{ empty: 'No jobs yet: start an import above.' }}
          cancel={{ url: '/api/progress', token: issued.token }}
        />
      ) : (
        <p className="muted" aria-busy="true">
          Loading your jobs…
        </p>
      )}
    </section>
  );
}

/** 95000 → "1 min 35 s". */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds} s` : `${minutes} min ${seconds % 60} s`;
}
