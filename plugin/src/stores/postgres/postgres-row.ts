import { MalformedRecordError } from '../../core/errors.js';
import { decodeActions, HISTORY_REASON } from '../../core/codec.js';
import { decodeHistory, encodeHistory, type HistoryPoint } from '../../core/history.js';
import { EXPLICIT_STATES, type ExplicitState, type ProgressRecord } from '../../core/record.js';
import { parseScopeKey, SCOPE_SEPARATOR } from '../../core/scope.js';
import { stalledAt, Tick, writtenStatus } from '../../core/tick.js';
import { type JobSort, jobSortKey, nameSearchKey } from '../job-query.js';

/**
 * A row as the store selects it: numbers as float8, times as ms since the epoch (float8),
 * params as JSON text. Drivers may hand numbers over as strings; `Number()` takes either.
 */
export type RecordRow = Record<string, unknown>;

const STATES: ReadonlySet<string> = new Set<string>(EXPLICIT_STATES);

/**
 * Decodes rows into ticks, as `readRecords` does for JSON values: a row that breaks a rule
 * (a negative count, an unknown state, an infinite time — the table has no constraints, so
 * other programs can write such rows) is reported and skipped; an expired one is left out.
 *
 * Rows are read from typed columns rather than through JSON text: building JSON in the
 * server and parsing it again here costs more than the query itself.
 */
export function readRows(
  scopeKey: string,
  rows: readonly RecordRow[],
  readAtMs: number,
  onMalformed: (error: Error) => void,
): Tick[] {
  const readAt = new Date(readAtMs);
  const scope = parseScopeKey(scopeKey);
  const ticks: Tick[] = [];
  for (const row of rows) {
    try {
      const record = decodeRow(row, scopeKey, scope);
      if (record.expiresAt === null || record.expiresAt.getTime() > readAtMs)
        ticks.push(new Tick(record, readAt));
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      onMalformed(error);
    }
  }
  return ticks;
}

/** One row as a record; throws `MalformedRecordError` naming the first bad column. */
export function decodeRow(
  row: RecordRow,
  scopeKey: string,
  scope: readonly string[],
): ProgressRecord {
  const id = String(row.id);
  const fail = (reason: string) =>
    new MalformedRecordError(scopeKey, id, reason, JSON.stringify(row));
  const number = (column: string, { optional }: { optional: boolean }): number | null => {
    const value = row[column];
    if (value === null || value === undefined) {
      if (optional) return null;
    } else {
      const n = Number(value);
      if (Number.isFinite(n) && n >= 0) return n;
    }
    throw fail(`\`${column}\` must be a finite number ≥ 0${optional ? ' or null' : ''}`);
  };
  const time = (column: string): Date | null => {
    const value = row[column];
    if (value === null || value === undefined) return null;
    const ms = Number(value);
    // Microseconds written by other programs are cut, as Date does when parsing them.
    if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) return new Date(Math.floor(ms));
    throw fail(`\`${column}\` must be a time or null`);
  };
  const text = (column: string): string | null => {
    const value = row[column];
    return value === null || value === undefined ? null : String(value);
  };
  const state = text('state');
  if (state !== null && !STATES.has(state))
    throw fail(`\`state\` must be one of ${[...STATES].join(', ')}`);
  let params: unknown = {};
  if (typeof row.params === 'string') params = JSON.parse(row.params);
  else if (row.params !== null && row.params !== undefined) params = row.params;

  const updatedAt = time('updated_at');
  const count = number('count', { optional: false }) ?? 0;
  let history: HistoryPoint[] | null = [];
  if (row.history !== null && row.history !== undefined) {
    const value = typeof row.history === 'string' ? JSON.parse(row.history) : row.history;
    history = decodeHistory(value, updatedAt, count);
  }
  if (history === null) throw fail(HISTORY_REASON);
  return {
    id,
    name: text('name') ?? id,
    scope,
    startedAt: time('started_at'),
    completedAt: time('completed_at'),
    failedAt: time('failed_at'),
    expiresAt: time('expires_at'),
    count,
    total: number('total', { optional: true }),
    params,
    errorCount: number('error_count', { optional: true }) ?? 0,
    updatedAt,
    ratePerSecond: number('rate', { optional: true }),
    intervalMs: number('interval_ms', { optional: true }),
    state: state as ExplicitState | null,
    errorMessage: text('error_message'),
    queue: text('queue'),
    jobId: text('job_id'),
    attempt: number('attempt', { optional: true }),
    actions: decodeActions(
      typeof row.actions === 'string' ? JSON.parse(row.actions) : row.actions,
      fail,
    ),
    history,
  };
}

/**
 * A record as a row of the records table, with the index columns derived here, in
 * JavaScript, by the functions every store uses (job-query.ts), so PostgreSQL orders exactly
 * as Memory and Redis do. Dates become ISO-8601 through JSON.stringify; a missing sort key
 * becomes '-Infinity', which PostgreSQL reads as a float8.
 */
export function encodeRow(record: ProgressRecord) {
  const sortKey = (sort: JobSort) => jobSortKey(record, sort) ?? '-Infinity';
  return {
    scope_key: record.scope.join(SCOPE_SEPARATOR),
    id: record.id,
    scope: record.scope,
    name: record.name,
    count: record.count,
    total: record.total,
    params: record.params ?? {},
    error_count: record.errorCount,
    started_at: record.startedAt,
    updated_at: record.updatedAt,
    completed_at: record.completedAt,
    failed_at: record.failedAt,
    expires_at: record.expiresAt,
    rate: record.ratePerSecond,
    interval_ms: record.intervalMs,
    state: record.state,
    error_message: record.errorMessage,
    queue: record.queue,
    job_id: record.jobId,
    attempt: record.attempt,
    actions: record.actions,
    history: record.updatedAt ? encodeHistory(record.history ?? []) : null,
    status: writtenStatus(record),
    stalled_at_ms: stalledAt(record)?.getTime() ?? null,
    sort_updated: sortKey('updatedAt'),
    sort_started: sortKey('startedAt'),
    sort_percentage: sortKey('percentage'),
    sort_name: sortKey('name'),
    name_search: nameSearchKey(record.name),
  };
}
