import { createHmac, timingSafeEqual } from 'node:crypto';
import { expected } from '../core/errors.js';
import { JOB_ACTION_NAMES, type JobActionName } from '../core/record.js';
import { normalizeScope, type Scope } from '../core/scope.js';

/** Marks our tokens, so an app's own `Authorization: Bearer <jwt>` is left to its `authorize`. */
const TOKEN_PREFIX = 'prg1.';
const MIN_SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 4096;

/** A secret for signing tokens: at least 32 bytes, e.g. `randomBytes(32).toString('base64url')`. */
export type TokenSecret = string | Uint8Array;

export interface ProgressTokenOptions {
  /** The handler's `tokenSecret`. */
  readonly secret: TokenSecret;
  /** The one scope the token reads, exactly: `['user', 3421]`. */
  readonly scope: Scope;
  /**
   * Actions the token may also take on the jobs of its scope, through the handler's POST
   * routes: `['cancel']`, `['cancel', 'retry']`. Without it the token only reads.
   * @default []
   */
  readonly actions?: readonly JobActionName[];
  /** How long the token is valid. @default 3_600_000 (1 h) */
  readonly expiresInMs?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** What a valid token grants. */
export interface ProgressTokenClaims {
  readonly scope: readonly string[];
  /** What the token may do besides reading: empty for a read-only token. */
  readonly actions: readonly JobActionName[];
  readonly expiresAt: Date;
}

/**
 * Signs a token that lets a browser read ONE scope (exactly that scope: not `user:10` for
 * `['user', 1]`, not `user:1:x`, not the scope list) until it expires. HMAC-SHA256, base64url.
 *
 * @example
 * // In your app, for the signed-in user:
 * const token = createProgressToken({ secret: process.env.PROGRESS_SECRET, scope: ['user', user.id] });
 * // In the browser: new EventSource(`/api/progress/events?scope=user:${user.id}&token=${token}`)
 */
export function createProgressToken(options: ProgressTokenOptions): string {
  const secret = validateSecret(options.secret, 'secret');
  const scope = normalizeScope(options.scope);
  const expiresInMs = options.expiresInMs ?? 3_600_000;
  if (!Number.isInteger(expiresInMs) || expiresInMs <= 0) {
    throw expected('expiresInMs', 'an integer > 0', expiresInMs);
  }
  const actions = options.actions ?? [];
  if (!Array.isArray(actions) || !actions.every((action) => JOB_ACTION_NAMES.includes(action))) {
    throw expected('actions', `an array of ${JOB_ACTION_NAMES.join(', ')}`, actions);
  }
  const expiresAtMs = (options.now ?? Date.now)() + expiresInMs;
  // `a` only when given, so that read-only tokens stay as they were.
  const claims =
    actions.length > 0
      ? { s: scope, e: expiresAtMs, a: [...new Set(actions)] }
      : { s: scope, e: expiresAtMs };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${TOKEN_PREFIX}${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** True when a bearer value looks like one of our tokens (else it is the app's business). */
export function isProgressToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX);
}

/** The claims of a valid, unexpired token; `null` for anything else. Compares signatures in constant time. */
export function verifyProgressToken(
  token: string,
  secret: TokenSecret,
  nowMs: number = Date.now(),
): ProgressTokenClaims | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !isProgressToken(token))
    return null;
  const [payload, signature, ...rest] = token.slice(TOKEN_PREFIX.length).split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return null;
  const given = Buffer.from(signature, 'base64url');
  const wanted = sign(toBytes(secret), payload);
  // Length first: timingSafeEqual throws on unequal lengths, and the length is no secret.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
  try {
    const { s, e, a } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      s: unknown;
      e: unknown;
      a?: unknown;
    };
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= nowMs) return null;
    const actions = a === undefined ? [] : a;
    if (!Array.isArray(actions) || !actions.every((action) => JOB_ACTION_NAMES.includes(action)))
      return null;
    return { scope: normalizeScope(s), actions, expiresAt: new Date(e) };
  } catch {
    return null;
  }
}

/** Checks a secret once, where it is configured. */
export function validateSecret(secret: unknown, name: string): Uint8Array {
  const bytes = typeof secret === 'string' ? Buffer.from(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
    throw expected(
      name,
      `a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes`,
      typeof secret === 'string' ? `${secret.length} characters` : secret,
    );
  }
  return bytes;
}

function toBytes(secret: TokenSecret): Uint8Array {
  return typeof secret === 'string' ? Buffer.from(secret) : secret;
}

function sign(secret: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}
