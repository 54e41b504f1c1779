import 'server-only';
import { cookies } from 'next/headers';
import { env } from './env';
import { deriveKeys, readSession, SESSION_COOKIE, type Session } from './session';
import { DEMO_USERS } from './users';

let keys: ReturnType<typeof deriveKeys> | undefined;

/** The portal's signing keys, derived once from PORTAL_SECRET. */
export function signingKeys(): ReturnType<typeof deriveKeys> {
  keys ??= deriveKeys(env().secret);
  return keys;
}

/** The signed-in user of this request, from the session cookie; null when nobody is. */
export async function currentUser(): Promise<Session | null> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = readSession(value, signingKeys().session, Date.now());
  return session !== null && DEMO_USERS.includes(session.userId) ? session : null;
}
