'use client';

import type { JobDTO } from 'progressrus/core';
import { useState } from 'react';
import type { FetchLike } from './progress-options.js';

/** Statuses in which a job can still be cancelled. */
const CANCELLABLE: ReadonlySet<JobDTO['status']> = new Set([
  'queued',
  'delayed',
  'prioritized',
  'started',
  'running',
  'stalled',
  'retrying',
  'waiting-children',
]);

/** Whether `<CancelButton>` has anything to do for this job. */
export function isCancellable(job: JobDTO): boolean {
  return CANCELLABLE.has(job.status) && !job.cancelRequested;
}

export interface CancelButtonProps {
  readonly job: JobDTO;
  /** Where the progress handler is mounted, as for `useProgress`: `/api/progress`. */
  readonly url: string;
  /** A progress token minted with `actions: ['cancel']`. */
  readonly token: string;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  readonly label?: string;
  readonly pendingLabel?: string;
  /** The words shown when the server refuses; gets the server's message. */
  readonly failedLabel?: (message: string) => string;
}

/**
 * Asks the progress handler to cancel one job (`POST /job/cancel`) with the page's token. The
 * job's new state arrives through the live updates; until then the button stays disabled.
 *
 * @example
 * <CancelButton job={job} url="/api/progress" token={token} />
 */
export function CancelButton({
  job,
  url,
  token,
  fetch: fetchLike,
  label = 'Cancel',
  pendingLabel = 'Cancelling…',
  failedLabel = (message) => `Could not cancel: ${message}`,
}: CancelButtonProps) {
  const [state, setState] = useState<{ pending: boolean; error: string | null }>({
    pending: false,
    error: null,
  });
  const cancel = async () => {
    setState({ pending: true, error: null });
    const query = new URLSearchParams({ scope: job.scope.join(':'), id: job.id });
    try {
      const send = fetchLike ?? globalThis.fetch;
      const response = await send(`${url.replace(/\/+$/, '')}/job/cancel?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.ok) return setState({ pending: true, error: null });
      const body = (await response.json().catch(() => null)) as {
        error?: { message?: string };
      } | null;
      setState({ pending: false, error: body?.error?.message ?? `HTTP ${response.status}` });
    } catch (error) {
      setState({ pending: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <span className="progressrus-cancel">
      <button
        type="button"
        disabled={state.pending}
        aria-label={`${label} ${job.name}`}
        onClick={() => void cancel()}
      >
        {state.pending ? pendingLabel : label}
      </button>
      {state.error ? <span role="alert">{failedLabel(state.error)}</span> : null}
    </span>
  );
}
