import { encodeRecord, type WireFormat } from '../../core/codec.js';
import type { ProgressRecord } from '../../core/record.js';
import { percentageOf } from '../../core/tick.js';

/**
 * A record's stored JSON with holes for what the queued records of one `addBulk` do not share:
 * the id, the scope, the total and the job id. The write script fills the holes (see WRITE_LUA,
 * mode 'n'), so a record costs Node a short line instead of its whole JSON, and the value Redis
 * stores is byte for byte `encodeRecord`'s: the template is cut out of `encodeRecord`'s own
 * output, never written a second time.
 */
export interface RecordTemplate {
  /** The record the template was made from: the others must equal it outside the holes. */
  readonly record: ProgressRecord;
  /** Text before the id, before the scope, before the total, before the job id, after it. */
  readonly parts: readonly [string, string, string, string, string];
  /**
   * UTF-16 units of the id before its job id (the queue name and ':'), or -1 when the value
   * has no job id hole (Ruby format, or a job id that is not the id's tail).
   */
  readonly jobIdCut: number;
  readonly percentage: number | null;
}

// Each stands for a hole. JSON escapes NUL, so the text `\u0000…` of a sentinel cannot come
// from any other field unless that field holds the same NUL-framed word (then no template).
const ID = '\u0000id\u0000';
const SCOPE = '\u0000scope\u0000';
const TOTAL = '\u0000total\u0000';
const JOB_ID = '\u0000job\u0000';

const HOLES = [
  // id and job id: the text inside the quotes; scope and total: the whole JSON value.
  JSON.stringify(ID).slice(1, -1),
  JSON.stringify([SCOPE]),
  JSON.stringify(TOTAL),
  JSON.stringify(JOB_ID).slice(1, -1),
];

/** Whether a string is written in JSON as itself, one byte per character: printable ASCII but `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The template of `record`'s value, or null when its id or job id could not fill a hole as is. */
export function recordTemplate(record: ProgressRecord, format: WireFormat): RecordTemplate | null {
  if (!PLAIN.test(record.id)) return null;
  const { jobId } = record;
  const jobIdCut =
    format === 'default' && jobId !== null && record.id.endsWith(jobId)
      ? record.id.length - jobId.length
      : -1;
  const withHoles = {
    ...record,
    id: ID,
    scope: [SCOPE],
    // Not a number: `encodeRecord` writes it as a JSON string, found below as the total's hole.
    total: TOTAL as unknown as number,
    jobId: jobIdCut >= 0 ? JOB_ID : jobId,
  };
  let rest = encodeRecord(withHoles, format);
  const parts: string[] = [];
  for (const hole of jobIdCut >= 0 ? HOLES : HOLES.slice(0, 3)) {
    const at = rest.indexOf(hole);
    if (at < 0) return null;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + hole.length);
  }
  if (jobIdCut < 0) parts.push('');
  parts.push(rest);
  // A field that held a sentinel's text would have been cut at instead of its hole.
  if (parts.some((part) => HOLES.some((hole) => part.includes(hole)))) return null;
  const percentage = percentageOf(record.count, record.total);
  return { record, parts: parts as unknown as RecordTemplate['parts'], jobIdCut, percentage };
}

/**
 * Whether `record`'s value is the template's with its own id, scope, total and job id: every
 * other field the same, the id plain, and the job id (with a hole for it) the id's tail. The
 * scope is checked against its block's by the caller.
 */
export function fitsTemplate(template: RecordTemplate, record: ProgressRecord): boolean {
  const model = template.record;
  return (
    PLAIN.test(record.id) &&
    (template.jobIdCut >= 0
      ? record.jobId !== null &&
        record.id.length === template.jobIdCut + record.jobId.length &&
        record.id.endsWith(record.jobId)
      : record.jobId === model.jobId) &&
    record.name === model.name &&
    record.count === model.count &&
    record.errorCount === model.errorCount &&
    record.state === model.state &&
    record.intervalMs === model.intervalMs &&
    record.ratePerSecond === model.ratePerSecond &&
    record.errorMessage === model.errorMessage &&
    record.queue === model.queue &&
    record.attempt === model.attempt &&
    sameParams(record.params, model.params) &&
    sameTime(record.updatedAt, model.updatedAt) &&
    sameTime(record.startedAt, model.startedAt) &&
    sameTime(record.completedAt, model.completedAt) &&
    sameTime(record.failedAt, model.failedAt) &&
    sameTime(record.expiresAt, model.expiresAt) &&
    sameList(record.actions, model.actions) &&
    sameList(record.history, model.history) &&
    // The total fills a hole, but the record's percentage is a shared index score.
    percentageOf(record.count, record.total) === template.percentage &&
    (record.total === null || Number.isFinite(record.total))
  );
}

/** The total as the value's JSON writes it. */
export function totalText(total: number | null): string {
  return total === null ? 'null' : String(total);
}

/** The same object, or both empty plain objects (`{}`, as nearly every record's): JSON `{}`. */
function sameParams(a: unknown, b: unknown): boolean {
  return a === b || (isEmptyObject(a) && isEmptyObject(b));
}

function isEmptyObject(value: unknown): boolean {
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return false;
  for (const _ in value) return false;
  return true;
}

function sameTime(a: Date | null, b: Date | null): boolean {
  return a === b || (a !== null && b !== null && a.getTime() === b.getTime());
}

function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  return a === b || ((a?.length ?? 0) === 0 && (b?.length ?? 0) === 0);
}
