'use client';

import { useActionState } from 'react';
import { type ActionResult, startImport } from '@/lib/actions';

export interface StartImportFormProps {
  readonly sizes: readonly { readonly value: string; readonly label: string }[];
}

/** "Start an import": a Server Action adds the job; the live list below shows it arrive. */
export function StartImportForm({ sizes }: StartImportFormProps) {
  const [result, action, pending] = useActionState<ActionResult, FormData>(startImport, null);
  return (
    <form action={action} className="card import-form" aria-labelledby="start-import-title">
      <h2 id="start-import-title">Start an import</h2>
      <div className="fields">
        <label>
          File name
          <input name="name" defaultValue="contacts.csv" maxLength={100} required />
        </label>
        <fieldset>
          <legend>Size</legend>
          {sizes.map((size, index) => (
            <label key={size.value} className="radio">
              <input type="radio" name="size" value={size.value} defaultChecked={index === 0} />
              {size.label}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Starting…' : 'Start import'}
        </button>
        {result ? (
          <span className={result.ok ? 'message ok' : 'message error'} role="status">
            {result.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}
