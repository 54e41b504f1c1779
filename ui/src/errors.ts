import { ProgressrusError } from 'progressrus/core';

/**
 * The HTTP API answered with an error. `code` is the `ErrorDTO` code (`forbidden`,
 * `not_found`, ...) or `http_<status>` when the body was not an `ErrorDTO`. A bad argument to a
 * hook or component throws `ProgressrusArgumentError` (from `progressrus/core`) instead.
 */
export class ProgressHttpError extends ProgressrusError {
  override readonly name: string = 'ProgressHttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** 400, 401 and 403 will not change by asking again with the same URL and token. */
  get retryable(): boolean {
    return this.status !== 400 && this.status !== 401 && this.status !== 403;
  }
}
