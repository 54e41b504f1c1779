/** Base class of every error Progressrus throws or reports; check with `instanceof`. */
export class ProgressrusError extends Error {
  override readonly name: string = 'ProgressrusError';
}

/** A bad argument, thrown synchronously at the call that passed it. */
export class ProgressrusArgumentError extends ProgressrusError {
  override readonly name: string = 'ProgressrusArgumentError';
}

/** A store could not be read or written; reported to `onError`, never thrown from `tick()`. */
export class StoreError extends ProgressrusError {
  override readonly name: string = 'StoreError';
}

/** A record in the store that cannot be decoded. It is skipped and reported; the others are returned. */
export class MalformedRecordError extends ProgressrusError {
  override readonly name: string = 'MalformedRecordError';
  constructor(
    /** The scope of the record, as stored (the Redis key without its prefix). */
    readonly scopeKey: string,
    /** The record id (the hash field). */
    readonly id: string,
    /** What is wrong, e.g. "`count` must be a number ≥ 0". */
    readonly reason: string,
    /** The raw stored value. */
    readonly raw: string,
  ) {
    super(`Malformed progress record ${JSON.stringify(id)} in scope ${JSON.stringify(scopeKey)}: ${reason}`);
  }
}

/**
 * Formats a validation message the same way everywhere:
 * "Expected `intervalMs` to be a finite number ≥ 0, got `-1`".
 */
/** `error` itself when it is an Error, else an Error of its text (what `catch` and rejections may hold). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function expected(name: string, what: string, got: unknown): ProgressrusArgumentError {
  return new ProgressrusArgumentError(`Expected \`${name}\` to be ${what}, got \`${describe(got)}\``);
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) {
    try {
      return JSON.stringify(value);
    } catch {
      return 'array';
    }
  }
  if (value !== null && typeof value === 'object') return Object.prototype.toString.call(value);
  return String(value);
}

/** An action named a job that its scope does not hold (or that has expired). */
export class JobNotFoundError extends ProgressrusError {
  override readonly name: string = 'JobNotFoundError';
}

/** An action that the job's state does not allow: retrying a running job, cancelling a record no queue holds. */
export class JobActionRefusedError extends ProgressrusError {
  override readonly name: string = 'JobActionRefusedError';
}
