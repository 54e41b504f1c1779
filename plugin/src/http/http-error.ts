import type { ErrorDTO } from '../core/dto.js';
import { ProgressrusArgumentError, ProgressrusError } from '../core/errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** The `code` of an `ErrorDTO`, one per status the handler answers with. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

/** An answer other than 200, thrown anywhere in a route and turned into an `ErrorDTO` response. */
export class HttpError extends ProgressrusError {
  override readonly name: string = 'HttpError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate` or `Allow`. */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Overrides the code's usual status (405 for a wrong method). */
    readonly status: number = STATUS[code],
  ) {
    super(message);
  }
}

/** The one place an error body is made: `{ "error": { "code", "message" } }`. */
export function errorResponse(error: HttpError): Response {
  const body: ErrorDTO = { error: { code: error.code, message: error.message } };
  return jsonResponse(body, error.status, error.headers);
}

export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

/**
 * Maps anything a route threw to an `HttpError`. Argument errors (a bad cursor reaching the
 * store) are the client's fault; anything else is ours, and its message is shown only when
 * `exposeErrors` is on (never in production), its stack never.
 */
export function toHttpError(error: unknown, exposeErrors: boolean): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ProgressrusArgumentError) return new HttpError('bad_request', error.message);
  const detail = exposeErrors && error instanceof Error ? `: ${error.message}` : '';
  return new HttpError('internal', `Internal error${detail}`);
}
