'use client';

import { type ReactNode, useActionState, useRef } from 'react';
import type { ActionResult } from '@/lib/actions';

export interface ConfirmActionProps {
  /** A Server Action from lib/actions.ts. */
  readonly action: (previous: ActionResult, form: FormData) => Promise<ActionResult>;
  /** Hidden inputs the action reads (scope, id). */
  readonly fields: Readonly<Record<string, string>>;
  /** The button that opens the dialog. */
  readonly label: string;
  readonly title: string;
  readonly description: ReactNode;
  /** The dialog's confirming button. */
  readonly confirmLabel: string;
}

/**
 * A destructive action behind a confirmation dialog. The form posts to a Server Action
 * (which validates its input and checks access again); the result shows beside the button.
 */
export function ConfirmAction({
  action,
  fields,
  label,
  title,
  description,
  confirmLabel,
}: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [result, run, pending] = useActionState(action, null);
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
      {result !== null && (
        <span role="status" className={result.ok ? 'muted' : 'failure'}>
          {result.message}
        </span>
      )}
      <button
        type="button"
        className="button danger"
        onClick={() => dialog.current?.showModal()}
        disabled={pending}
      >
        {pending ? 'Working…' : label}
      </button>
      <dialog ref={dialog} aria-labelledby="confirm-title">
        <form action={run} onSubmit={() => dialog.current?.close()}>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <h2 id="confirm-title">{title}</h2>
          <div className="muted">{description}</div>
          <div className="actions">
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button danger solid">
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
