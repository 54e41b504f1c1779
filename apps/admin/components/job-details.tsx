'use client';

import {
  Eta,
  LocalTime,
  ProgressBar,
  ProgressChart,
  StatusBadge,
  useProgress,
} from '@progressrus/ui';
import type { JobDTO } from 'progressrus';
import { formatCount, formatDuration, formatJobPercentage, formatPercentage, formatRate } from '@/lib/format';
import { JobActionButtons } from './job-action-buttons';
import { RelativeTime } from './relative-time';

/**
 * Every field of one job, kept live: a running job's bar, counts and times move while the
 * page is open. Params render as text in a <pre>, never as HTML.
 */
export function JobDetails({
  scopeKey,
  initial,
}: {
  readonly scopeKey: string;
  readonly initial: JobDTO;
}) {
  const live = useProgress(
    { scope: scopeKey, id: initial.id },
    { url: '/api/progress', initialJobs: [initial] },
  );
  const job = live.job ?? initial;
  const gone = live.job === null && live.connection === 'live';
  const time = (value: string | null) =>
    value === null ? (
      <span className="muted">—</span>
    ) : (
      <>
        <LocalTime value={value} />{' '}
        <span className="muted">
          (<RelativeTime value={value} />)
        </span>
      </>
    );
  return (
    <div className="card">
      <div className="section">
        <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 14 }}>
          <StatusBadge
            status={job.status}
            {...(job.cancelRequested ? { label: 'Cancel requested' } : {})}
          />
          {!gone && <JobActionButtons scopeKey={scopeKey} job={job} />}
          {gone && <span className="muted">This record was removed or has expired.</span>}
          <span className="live" data-state={live.connection} style={{ marginLeft: 'auto' }}>
            {live.connection === 'live'
              ? 'Live'
              : live.connection === 'polling'
                ? 'Live (polling)'
                : 'Connecting…'}
          </span>
        </div>
        <div className="progress large">
          <ProgressBar job={job} />
          <span className="progress-label">{formatJobPercentage(job)}</span>
        </div>
        <p className="muted" style={{ margin: '8px 0 0' }}>
          {formatCount(job.count)} of{' '}
          {job.total === null ? 'an unknown total' : formatCount(job.total)}
          {job.ratePerSecond !== null && <> · {formatRate(job.ratePerSecond)}</>}
          {job.typicalDurationMs !== null && (
            <> · usually takes about {formatDuration(job.typicalDurationMs)}</>
          )}
        </p>
        {/* No history yet (queued, or a flow parent rolled up from its children): no empty frame. */}
        {job.history.length > 0 && (
          <div style={{ marginTop: 14 }}>
            <ProgressChart job={job} width={640} height={180} />
          </div>
        )}
        {job.errorMessage !== null && (
          <div className="notice error" style={{ marginTop: 14, marginBottom: 0 }}>
            <h2>{job.status === 'failed' ? 'Failure' : 'Last error'}</h2>
            <p className="mono">{job.errorMessage}</p>
          </div>
        )}
      </div>
      <div className="section">
        <h2>Fields</h2>
        <dl className="fields">
          <dt>Name</dt>
          <dd>{job.name}</dd>
          <dt>Record id</dt>
          <dd className="mono">{job.id}</dd>
          <dt>Scope</dt>
          <dd className="mono">{job.scope.join(':')}</dd>
          <dt>Status</dt>
          <dd>{job.status}</dd>
          <dt>Count</dt>
          <dd>{formatCount(job.count)}</dd>
          <dt>Total</dt>
          <dd>
            {job.total === null ? <span className="muted">unknown</span> : formatCount(job.total)}
          </dd>
          <dt>Percentage</dt>
          <dd>{formatPercentage(job.percentage)}</dd>
          <dt>Rate</dt>
          <dd>{formatRate(job.ratePerSecond)}</dd>
          <dt>Errors</dt>
          <dd>{formatCount(job.errorCount)}</dd>
          <dt>ETA</dt>
          <dd>{job.eta === null ? <span className="muted">—</span> : <Eta value={job.eta} />}</dd>
          <dt>Elapsed</dt>
          <dd>
            {job.startedAt === null ? (
              <span className="muted">—</span>
            ) : (
              formatDuration(job.elapsedMs)
            )}
          </dd>
          <dt>Started</dt>
          <dd>{time(job.startedAt)}</dd>
          <dt>Updated</dt>
          <dd>{time(job.updatedAt)}</dd>
          <dt>Completed</dt>
          <dd>{time(job.completedAt)}</dd>
          <dt>Failed</dt>
          <dd>{time(job.failedAt)}</dd>
          <dt>Expires</dt>
          <dd>{time(job.expiresAt)}</dd>
          <dt>Queue</dt>
          <dd className="mono">{job.queue ?? <span className="muted">—</span>}</dd>
          <dt>BullMQ job id</dt>
          <dd className="mono">{job.jobId ?? <span className="muted">—</span>}</dd>
          <dt>Attempt</dt>
          <dd>{job.attempt ?? <span className="muted">—</span>}</dd>
        </dl>
      </div>
      <div className="section">
        <h2>Params</h2>
        {job.params === null || job.params === undefined ? (
          <p className="muted" style={{ margin: 0 }}>
            No params.
          </p>
        ) : (
          <pre className="json">{JSON.stringify(job.params, null, 2)}</pre>
        )}
      </div>
    </div>
  );
}
