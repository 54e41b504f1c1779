/** A bad argument to a hook or component, thrown at the call that passed it. */
export class ProgressOptionsError extends Error {
  override readonly name: string = 'ProgressOptionsError';
}

/**
 * The HTTP API answered with an error. `code` is the `ErrorDTO` code (`forbidden`,
 * `not_found`, ...) or `http_<status>` when the body was not an `ErrorDTO`.
 */
export class ProgressHttpError extends Error {
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

/** Same message format as the `progressrus` core: "Expected `url` to be a string, got `1`". */
export function expected(name: string, what: string, got: unknown): ProgressOptionsError {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(safeJson(got));
  return new ProgressOptionsError(`Expected \`${name}\` to be ${what}, got \`${shown}\``);
}

function safeJson(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
