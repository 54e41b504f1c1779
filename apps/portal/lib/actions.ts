'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { currentUser, signingKeys } from './current-user';
import { addImport, IMPORT_SIZES, type ImportSize } from './imports';
import { type IssuedToken, issueProgressToken } from './progress-token';
import { SESSION_COOKIE, SESSION_TTL_MS, signSession } from './session';
import { parseUserId } from './users';

/** What a form shows after its action ran; null before the first run. */
export type ActionResult = { readonly ok: boolean; readonly message: string } | null;

/**
 * Signs in as the demo user picked — no password, because this is a demo; a real product
 * checks its own credentials here, then sets the same kind of cookie.
 */
export async function signIn(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const userId = parseUserId(form.get('user'));
  if (userId === null) return { ok: false, message: 'Pick one of the demo users 1–7.' };
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, signSession(userId, signingKeys().session, Date.now()), {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
  });
  redirect(`/users/${userId}/jobs`);
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}

const importInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Give the import a name, for example the file’s.')
    .max(100, 'Keep the name under 100 characters.'),
  size: z.enum(Object.keys(IMPORT_SIZES) as [ImportSize, ...ImportSize[]], {
    error: 'Pick a size.',
  }),
});

/** Adds an import for the signed-in user (never for anyone else: the user comes from the cookie). */
export async function startImport(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const session = await currentUser();
  if (session === null) return { ok: false, message: 'Your session has ended: sign in again.' };
  const input = importInput.safeParse({ name: form.get('name'), size: form.get('size') });
  if (!input.success) return { ok: false, message: input.error.issues[0]?.message ?? 'Invalid.' };
  try {
    await addImport(session.userId, input.data.name, input.data.size);
  } catch {
    return { ok: false, message: 'The import could not be queued: the job queue is unreachable.' };
  }
  return { ok: true, message: `“${input.data.name}” is queued.` };
}

/**
 * A fresh progress token for the signed-in user, for the page to swap in before its current
 * one expires; null once the session has ended, so an old page cannot keep reading.
 */
export async function renewProgressToken(): Promise<IssuedToken | null> {
  const session = await currentUser();
  return session === null ? null : issueProgressToken(session.userId);
}
