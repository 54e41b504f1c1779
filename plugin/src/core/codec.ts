import { MalformedRecordError } from './errors.js';
import { decodeHistory, encodeHistory } from './history.js';
import {
  EXPLICIT_STATES,
  type ExplicitState,
  JOB_ACTION_NAMES,
  type JobActionName,
  type ProgressRecord,
  type RecordAction,
} from './record.js';
import { formatTime, parseTime } from './time.js';

/**
 * `ruby` writes exactly the 11 keys of the Ruby gem 1.1.0, in its order, because the gem
 * rejects unknown keys. `default` appends the extension keys listed in the plugin README.
 */
export type WireFormat = 'default' | 'ruby';

const STATES: ReadonlySet<string> = new Set<string>(EXPLICIT_STATES);
const ACTIONS: ReadonlySet<string> = new Set<string>(JOB_ACTION_NAMES);

export function isWireFormat(value: unknown): value is WireFormat {
  return value === 'default' || value === 'ruby';
}

/**
 * Encodes a record as the JSON value of its hash field. Key order is part of the format.
 * Built as text, field by field: no intermediate objects, which this hottest of paths (every
 * write, 10,000 queued records per `addBulk`) paid for in allocation and garbage collection.
 * A field left `undefined` (the types forbid it) is written as null, as a reader reads it.
 */
export function encodeRecord(record: ProgressRecord, format: WireFormat): string {
  const ruby =
    `{"name":${text(record.name)},"id":${text(record.id)},"scope":${json(record.scope)}` +
    `,"started_at":${time(record.startedAt)},"completed_at":${time(record.completedAt)}` +
    `,"failed_at":${time(record.failedAt)},"expires_at":${time(record.expiresAt)}` +
    `,"count":${num(record.count)},"total":${num(record.total)},"params":${json(record.params ?? {})}` +
    `,"error_count":${num(record.errorCount)}`;
  if (format === 'ruby') return `${ruby}}`;
  const extensions =
    `,"updated_at":${time(record.updatedAt)},"rate":${num(record.ratePerSecond)}` +
    `,"interval_ms":${num(record.intervalMs)},"state":${text(record.state)}` +
    `,"error_message":${text(record.errorMessage)},"queue":${text(record.queue)}` +
    `,"job_id":${text(record.jobId)},"attempt":${num(record.attempt)}`;
  // Left out when empty, as nearly every record's are.
  const actions =
    record.actions.length > 0 ? `,"actions":${JSON.stringify(record.actions.map(encodeAction))}` : '';
  const encoded = record.updatedAt && record.history && record.history.length > 0 ? encodeHistory(record.history) : null;
  const history = encoded ? `,"history":${JSON.stringify(encoded)}` : '';
  return `${ruby}${extensions}${actions}${history}}`;
}

/** A JSON value as `JSON.stringify` writes it inside an object, with null for undefined. */
function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function text(value: string | null): string {
  return value === null ? 'null' : json(value);
}

function num(value: number | null): string {
  // JSON writes a finite number as `String` does, and NaN or ±Infinity as null.
  return typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : json(value);
}

function time(date: Date | null): string {
  // An ISO-8601 time has nothing JSON escapes.
  return date === null ? 'null' : `"${formatTime(date)}"`;
}

/** Why a `history` value was rejected; also used for the PostgreSQL column. */
export const HISTORY_REASON = '`history` must be [span ms, count scale, points] (see the wire format) and needs `updated_at`';

/**
 * Decodes one stored value. Throws `MalformedRecordError` naming the first bad field, so the
 * caller can skip this record and still return the others of the scope.
 */
export function decodeRecord(raw: string, scopeKey: string, field: string): ProgressRecord {
  const fail = (reason: string) => new MalformedRecordError(scopeKey, field, reason, raw);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw fail('the value is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw fail('the value is not a JSON object');
  const value = json as Record<string, unknown>;

  const read = new FieldReader(value, fail);
  const id = read.text('id', field);
  const scopeValue = value.scope;
  let scope: string[];
  if (scopeValue === undefined || scopeValue === null) scope = scopeKey.split(':');
  else if (Array.isArray(scopeValue) && scopeValue.every((p) => typeof p === 'string' || typeof p === 'number')) {
    scope = scopeValue.map(String);
  } else throw fail('`scope` must be an array of strings');

  const state = read.optionalText('state');
  if (state !== null && !STATES.has(state)) throw fail(`\`state\` must be one of ${EXPLICIT_STATES.join(', ')}`);

  const updatedAt = read.time('updated_at');
  const count = read.number('count');
  const history =
    value.history === undefined || value.history === null
      ? []
      : decodeHistory(value.history, updatedAt, count);
  if (history === null) throw fail(HISTORY_REASON);
  return {
    id,
    name: read.text('name', id),
    scope,
    startedAt: read.time('started_at'),
    completedAt: read.time('completed_at'),
    failedAt: read.time('failed_at'),
    expiresAt: read.time('expires_at'),
    count,
    total: read.optionalNumber('total'),
    params: value.params ?? {},
    errorCount: read.optionalNumber('error_count') ?? 0,
    updatedAt,
    ratePerSecond: read.optionalNumber('rate'),
    intervalMs: read.optionalNumber('interval_ms'),
    state: state as ExplicitState | null,
    errorMessage: read.optionalText('error_message'),
    queue: read.optionalText('queue'),
    jobId: read.optionalText('job_id'),
    attempt: read.optionalNumber('attempt'),
    actions: decodeActions(value.actions, fail),
    history,
  };
}

function encodeAction(action: RecordAction): { action: JobActionName; at: string | null } {
  return { action: action.action, at: formatTime(action.at) };
}

/** `actions`: absent, or an array of `{ action, at }`; also used for the PostgreSQL column. */
export function decodeActions(
  value: unknown,
  fail: (reason: string) => Error,
): readonly RecordAction[] {
  if (value === undefined || value === null) return [];
  const reason = `\`actions\` must be an array of { action: ${JOB_ACTION_NAMES.join(' | ')}, at: time }`;
  if (!Array.isArray(value)) throw fail(reason);
  return value.map((entry: unknown) => {
    const { action, at } = (entry ?? {}) as { action?: unknown; at?: unknown };
    const time = typeof at === 'string' ? parseTime(at) : undefined;
    if (typeof action !== 'string' || !ACTIONS.has(action) || !time) throw fail(reason);
    return { action: action as JobActionName, at: time };
  });
}

/**
 * Reads typed fields of one decoded JSON object. A class rather than closures because
 * `scope()` decodes thousands of records per call: one allocation per record, not five.
 */
class FieldReader {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly fail: (reason: string) => MalformedRecordError,
  ) {}

  text(key: string, fallback: string): string {
    const v = this.value[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw this.fail(`\`${key}\` must be a string`);
  }

  optionalText(key: string): string | null {
    const v = this.value[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    throw this.fail(`\`${key}\` must be a string or null`);
  }

  number(key: string): number {
    const v = this.value[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    throw this.fail(`\`${key}\` must be a finite number ≥ 0`);
  }

  optionalNumber(key: string): number | null {
    const v = this.value[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    throw this.fail(`\`${key}\` must be a finite number ≥ 0 or null`);
  }

  time(key: string): Date | null {
    const v = this.value[key];
    if (v === undefined || v === null) return null;
    const date = typeof v === 'string' ? parseTime(v) : undefined;
    if (!date) throw this.fail(`\`${key}\` must be a time (ISO-8601 or Ruby's "YYYY-MM-DD hh:mm:ss ±hhmm") or null`);
    return date;
  }
}
