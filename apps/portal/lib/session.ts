import { createHmac, timingSafeEqual } from 'node:crypto';

/** The cookie that says who is signed in. httpOnly: page scripts never see it. */
export const SESSION_COOKIE = 'portal_session';

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const VERSION = 'v1';

/** Who is signed in, until when. */
export interface Session {
  readonly userId: number;
  readonly expiresAt: Date;
}

/**
 * The two keys the portal signs with, derived from its one secret: a session cookie can never
 * pass for a progress token, nor the other way round, even though both are HMAC-SHA256.
 */
export function deriveKeys(secret: string): {
  readonly session: Buffer;
  readonly progress: Buffer;
} {
  const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
  return { session: derive('portal session cookie'), progress: derive('progressrus token') };
}

/**
 * The cookie value for a user: `v1.<user>.<expires ms>.<signature>`. No password is checked
 * anywhere: the demo signs in whoever is picked, and says so on the page.
 *
 * @example
 * signSession(3, keys.session, Date.now()); // 'v1.3.1764000000000.Kq…'
 */
export function signSession(userId: number, key: Buffer, nowMs: number): string {
  const payload = `${VERSION}.${userId}.${nowMs + SESSION_TTL_MS}`;
  return `${payload}.${sign(key, payload)}`;
}

/** The session a cookie value carries; null when it is missing, malformed, forged or expired. */
export function readSession(value: string | undefined, key: Buffer, nowMs: number): Session | null {
  if (value === undefined || value.length > 200) return null;
  const match = /^(v1\.([1-9]\d{0,8})\.(\d{1,15}))\.([\w-]{43})$/.exec(value);
  if (!match) return null;
  const [, payload = '', user = '', expires = '', signature = ''] = match;
  const given = Buffer.from(signature, 'base64url');
  const wanted = Buffer.from(sign(key, payload), 'base64url');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
  const expiresAtMs = Number(expires);
  if (expiresAtMs <= nowMs) return null;
  return { userId: Number(user), expiresAt: new Date(expiresAtMs) };
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
