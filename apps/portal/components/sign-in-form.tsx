'use client';

import { useActionState } from 'react';
import { type ActionResult, signIn } from '@/lib/actions';

export interface SignInFormProps {
  readonly users: readonly number[];
  /** Checked at first: the admin's "what this user sees" link names one. */
  readonly preselected: number | null;
}

export function SignInForm({ users, preselected }: SignInFormProps) {
  const [result, action, pending] = useActionState<ActionResult, FormData>(signIn, null);
  return (
    <form action={action} className="card sign-in">
      <fieldset>
        <legend>Sign in as</legend>
        <div className="users">
          {users.map((user) => (
            <label key={user} className="user-choice">
              <input
                type="radio"
                name="user"
                value={user}
                required
                defaultChecked={user === (preselected ?? users[0])}
              />
              <span className="avatar" aria-hidden="true">
                {user}
              </span>
              User {user}
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      {result && !result.ok ? (
        <p className="message error" role="alert">
          {result.message}
        </p>
      ) : null}
    </form>
  );
}
