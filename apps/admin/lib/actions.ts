'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { decideAccess } from './auth';
import { parseKey } from './data';
import { env } from './env';
import { StoreUnavailableError, withStore } from './store';

/** What a form shows after its action ran; null before the first run. */
export type ActionResult = { readonly ok: boolean; readonly message: string } | null;

const scopeKey = z
  .string()
  .min(1, 'A scope is required.')
  .max(1000)
  .refine((key) => parseKey(key) !== null, 'Not a valid scope.');

const deleteJobInput = z.object({
  scope: scopeKey,
  id: z.string().min(1, 'A job id is required.').max(1000),
});

const deleteFinishedInput = z.object({ scope: scopeKey });

/** How many records one round of `deleteFinished` deletes at once. */
const DELETE_BATCH = 500;

/**
 * Deletes one job record, then goes back to its scope. The proxy has already checked
 * credentials; the action checks again, since Server Actions are POSTs that a matcher change
 * could leave uncovered.
 */
export async function deleteJob(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const denied = await checkAccess();
  if (denied) return denied;
  const input = deleteJobInput.safeParse({ scope: form.get('scope'), id: form.get('id') });
  if (!input.success) return { ok: false, message: firstIssue(input.error) };
  const scope = parseKey(input.data.scope) ?? [];
  const failed = await attempt(() => withStore((store) => store.delete(scope, input.data.id)));
  if (failed) return failed;
  revalidatePath('/', 'layout');
  redirect(`/scopes/${encodeURIComponent(input.data.scope)}?deleted=1`);
}

/** Deletes every completed or failed record of a scope; running jobs stay. */
export async function deleteFinished(
  _previous: ActionResult,
  form: FormData,
): Promise<ActionResult> {
  const denied = await checkAccess();
  if (denied) return denied;
  const input = deleteFinishedInput.safeParse({ scope: form.get('scope') });
  if (!input.success) return { ok: false, message: firstIssue(input.error) };
  const scope = parseKey(input.data.scope) ?? [];
  let removed = 0;
  const failed = await attempt(() =>
    withStore(async (store) => {
      const finished = (await store.scope(scope))
        .filter((tick) => tick.finished)
        .map((tick) => tick.id);
      for (let start = 0; start < finished.length; start += DELETE_BATCH) {
        await Promise.all(
          finished.slice(start, start + DELETE_BATCH).map((id) => store.delete(scope, id)),
        );
      }
      removed = finished.length;
    }),
  );
  if (failed) return failed;
  revalidatePath('/', 'layout');
  return {
    ok: true,
    message:
      removed === 0
        ? 'No finished jobs to delete.'
        : `Deleted ${removed} finished job${removed === 1 ? '' : 's'}.`,
  };
}

async function checkAccess(): Promise<ActionResult> {
  const request = await headers();
  const decision = decideAccess(
    { authorization: request.get('authorization'), host: request.get('host') },
    env(),
  );
  return decision === 'allow'
    ? null
    : { ok: false, message: 'Not signed in: reload the page and sign in again.' };
}

async function attempt(work: () => Promise<void>): Promise<ActionResult> {
  try {
    await work();
    return null;
  } catch (error) {
    if (error instanceof StoreUnavailableError)
      return { ok: false, message: `${error.message} Nothing was changed.` };
    throw error;
  }
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'Invalid input.';
}
