'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import {
  type ActionOutcome,
  JobActionRefusedError,
  JobNotFoundError,
  type Status,
} from 'progressrus';
import { z } from 'zod';
import { decideAccess } from './auth';
import { parseKey } from './data';
import { env } from './env';
import { formatCountOf } from './format';
import { jobActions } from './job-actions';
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
        : `Deleted ${formatCountOf(removed, 'finished job')}.`,
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

const jobActionInput = z.object({
  scope: scopeKey,
  id: z.string().min(1, 'A job id is required.').max(1000),
  action: z.enum(['cancel', 'retry']),
});

const bulkActionInput = z.object({
  scope: scopeKey,
  action: z.enum(['cancel', 'retry']),
  /** Every running (cancel) or failed (retry) job of the scope, instead of the selected ids. */
  all: z.enum(['yes', 'no']).default('no'),
  ids: z.array(z.string().min(1).max(1000)).max(10_000),
});

/** Statuses whose jobs "cancel all running" stops, and "retry all failed" retries. */
const ALL_OF: Record<'cancel' | 'retry', readonly Status[]> = {
  cancel: ['running', 'started', 'stalled'],
  retry: ['failed'],
};

/** Cancels or retries one job (the job page's buttons), through the same JobActions as the API. */
export async function actOnJob(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const denied = await checkAccess();
  if (denied) return denied;
  const input = jobActionInput.safeParse({
    scope: form.get('scope'),
    id: form.get('id'),
    action: form.get('action'),
  });
  if (!input.success) return { ok: false, message: firstIssue(input.error) };
  const scope = parseKey(input.data.scope) ?? [];
  let message = '';
  const failed = await attempt(async () => {
    try {
      const result = await jobActions().act(input.data.action, scope, input.data.id);
      message = OUTCOME_MESSAGES[result.outcome];
    } catch (error) {
      if (error instanceof JobNotFoundError || error instanceof JobActionRefusedError)
        message = error.message;
      else throw error;
    }
  });
  if (failed) return failed;
  revalidatePath('/', 'layout');
  return { ok: !/^No job|Only|no longer|not a BullMQ/.test(message), message };
}

/** Cancels or retries the selected jobs of a scope, or all its running (failed) ones. */
export async function actOnJobs(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const denied = await checkAccess();
  if (denied) return denied;
  const input = bulkActionInput.safeParse({
    scope: form.get('scope'),
    action: form.get('action'),
    all: form.get('all') ?? undefined,
    ids: form.getAll('id'),
  });
  if (!input.success) return { ok: false, message: firstIssue(input.error) };
  const { action, all } = input.data;
  const scope = parseKey(input.data.scope) ?? [];
  const outcomes = new Map<string, number>();
  const failed = await attempt(async () => {
    const ids =
      all === 'yes'
        ? await withStore(async (store) =>
            (await store.scope(scope))
              .filter((tick) => ALL_OF[action].includes(tick.status))
              .map((tick) => tick.id),
          )
        : input.data.ids;
    for (let start = 0; start < ids.length; start += ACTION_BATCH) {
      const results = await Promise.allSettled(
        ids.slice(start, start + ACTION_BATCH).map((id) => jobActions().act(action, scope, id)),
      );
      for (const result of results) {
        const key = result.status === 'fulfilled' ? result.value.outcome : 'refused';
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
  });
  if (failed) return failed;
  revalidatePath('/', 'layout');
  if (outcomes.size === 0)
    return { ok: true, message: all === 'yes' ? 'No jobs to act on.' : 'No jobs selected.' };
  return {
    ok: !outcomes.has('refused'),
    message: [...outcomes]
      .map(([outcome, count]) => `${count} ${BULK_LABELS[outcome] ?? outcome}`)
      .join(', '),
  };
}

/** How many jobs one round of `actOnJobs` acts on at once. */
const ACTION_BATCH = 100;

const OUTCOME_MESSAGES: Record<ActionOutcome, string> = {
  cancelled: 'Cancelled: the job left its queue.',
  'cancel-requested': 'Cancel requested: the worker is stopping the job.',
  retried: 'Retried: the job is back in its queue.',
  unchanged: 'Nothing to do: the job had already ended or been retried.',
};

const BULK_LABELS: Record<string, string> = {
  cancelled: 'cancelled',
  'cancel-requested': 'asked to stop',
  retried: 'retried',
  unchanged: 'unchanged',
  refused: 'refused',
};
