import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { expected } from '../core/errors.js';
import { JOB_ACTION_NAMES, type JobActionName } from '../core/record.js';
import { normalizeScope, type Scope } from '../core/scope.js';

/** Marks our tokens, so an app's own `Authorization: Bearer <jwt>` is left to its `authorize`. */
const TOKEN_PREFIX = 'prg2.';
const MIN_SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 4096;
/** The latest time a `Date` can hold, in ms since the epoch (ECMAScript's time value range). */
const MAX_DATE_MS = 8.64e15;
/** An HMAC-SHA256 in unpadded base64url: 43 characters, the last one carrying 2 zero bits. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const KEY_ID = /^[A-Za-z0-9_-]{8}$/;

/** A secret for signing tokens: at least 32 bytes, e.g. `randomBytes(32).toString('base64url')`. */
export type TokenSecret = string | Uint8Array;

/**
 * One secret, or several while rotating: tokens are signed with the FIRST and verified with
 * whichever one their key id names, so tokens minted before a rotation stay valid until they
 * expire. Put the new secret first, keep the old one until its tokens have expired, drop it.
 */
export type TokenSecrets = TokenSecret | readonly TokenSecret[];

export interface ProgressTokenOptions {
  /** The handler's `tokenSecret`: one secret, or a list whose first entry signs. */
  readonly secret: TokenSecrets;
  /** The one scope the token reads, exactly: `['user', 3421]`. */
  readonly scope: Scope;
  /**
   * Actions the token may also take on the jobs of its scope, through the handler's POST
   * routes: `['cancel']`, `['cancel', 'retry']`. Without it the token only reads.
   * @default []
   */
  readonly actions?: readonly JobActionName[];
  /** How long the token is valid; the expiry must stay within a `Date`'s range. @default 3_600_000 (1 h) */
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

/** A validated secret and the key id that tokens signed with it carry. */
export interface SigningKey {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/**
 * Signs a token that lets a browser read ONE scope (exactly that scope: not `user:10` for
 * `['user', 1]`, not `user:1:x`, not the scope list) until it expires. HMAC-SHA256, base64url:
 * `prg2.<key id>.<claims>.<signature>`, where the key id names the secret that signed it.
 *
 * @example
 * // In your app, for the signed-in user:
 * const token = createProgressToken({ secret: process.env.PROGRESS_SECRET, scope: ['user', user.id] });
 * // In the browser: new EventSource(`/api/progress/events?scope=user:${user.id}&token=${token}`)
 */
export function createProgressToken(options: ProgressTokenOptions): string {
  const [key] = validateSecrets(options.secret, 'secret') as [SigningKey];
  const scope = normalizeScope(options.scope);
  const expiresInMs = options.expiresInMs ?? 3_600_000;
  if (!Number.isInteger(expiresInMs) || expiresInMs <= 0) {
    throw expected('expiresInMs', 'an integer > 0', expiresInMs);
  }
  const nowMs = (options.now ?? Date.now)();
  const expiresAtMs = nowMs + expiresInMs;
  // Past a Date's range the expiry reads as invalid: the stream would end at once and the
  // EventSource reconnect forever. Refuse it here, where the mistake is made.
  if (!(expiresAtMs <= MAX_DATE_MS)) {
    throw expected(
      'expiresInMs',
      `an integer > 0 that keeps the expiry within a Date's range (≤ ${MAX_DATE_MS - nowMs})`,
      expiresInMs,
    );
  }
  const actions = options.actions ?? [];
  if (!Array.isArray(actions) || !actions.every((action) => JOB_ACTION_NAMES.includes(action))) {
    throw expected('actions', `an array of ${JOB_ACTION_NAMES.join(', ')}`, actions);
  }
  // `a` only when given, so that read-only tokens stay short.
  const claims =
    actions.length > 0
      ? { s: scope, e: expiresAtMs, a: [...new Set(actions)] }
      : { s: scope, e: expiresAtMs };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signed = `${key.id}.${payload}`;
  return `${TOKEN_PREFIX}${signed}.${sign(key.bytes, signed).toString('base64url')}`;
}

/** True when a bearer value looks like one of our tokens (else it is the app's business). */
export function isProgressToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX);
}

/**
 * The claims of a valid, unexpired token; `null` for anything else, including any spelling of
 * the signature but the one canonical unpadded base64url (no `=`, `+` or `/`, no other last
 * character that decodes to the same bytes). Compares signatures in constant time.
 */
export function verifyProgressToken(
  token: string,
  secret: TokenSecrets,
  nowMs: number = Date.now(),
): ProgressTokenClaims | null {
  return verifyWithKeys(token, validateSecrets(secret, 'secret'), nowMs);
}

/** `verifyProgressToken` with keys validated once, where the handler is configured. */
export function verifyWithKeys(
  token: string,
  keys: readonly SigningKey[],
  nowMs: number,
): ProgressTokenClaims | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !isProgressToken(token))
    return null;
  const [keyId, payload, signature, ...rest] = token.slice(TOKEN_PREFIX.length).split('.');
  if (keyId === undefined || payload === undefined || signature === undefined || rest.length > 0)
    return null;
  if (!KEY_ID.test(keyId) || !SIGNATURE.test(signature)) return null;
  const given = Buffer.from(signature, 'base64url');
  // Node ignores the 2 spare bits of the last character: re-encoding shows whether they were 0.
  if (given.toString('base64url') !== signature) return null;
  const key = keys.find((candidate) => candidate.id === keyId);
  if (key === undefined) return null;
  const wanted = sign(key.bytes, `${keyId}.${payload}`);
  if (!timingSafeEqual(given, wanted)) return null;
  try {
    const { s, e, a } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      s: unknown;
      e: unknown;
      a?: unknown;
    };
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= nowMs || e > MAX_DATE_MS) return null;
    const actions = a === undefined ? [] : a;
    if (!Array.isArray(actions) || !actions.every((action) => JOB_ACTION_NAMES.includes(action)))
      return null;
    return { scope: normalizeScope(s), actions, expiresAt: new Date(e) };
  } catch {
    return null;
  }
}

/**
 * Checks one secret or a list once, where it is configured, and derives each key id. The list
 * may not be empty, and every secret must be at least 32 bytes.
 */
export function validateSecrets(secrets: unknown, name: string): readonly SigningKey[] {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  if (list.length === 0) throw expected(name, 'a secret or a non-empty list of secrets', secrets);
  return list.map((secret, index) => {
    const bytes = typeof secret === 'string' ? Buffer.from(secret) : secret;
    if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
      throw expected(
        Array.isArray(secrets) ? `${name}[${index}]` : name,
        `a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes`,
        typeof secret === 'string' ? `${secret.length} characters` : secret,
      );
    }
    return { id: keyId(bytes), bytes };
  });
}

/**
 * A short public name for a secret: 6 bytes of a domain-separated SHA-256, so a token says
 * which secret signed it without revealing anything usable about the secret.
 */
function keyId(secret: Uint8Array): string {
  return createHash('sha256')
    .update('progressrus token key id\0')
    .update(secret)
    .digest()
    .subarray(0, 6)
    .toString('base64url');
}

function sign(secret: Uint8Array, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed).digest();
}
