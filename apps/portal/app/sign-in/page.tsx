import type { Metadata } from 'next';
import { SignInForm } from '@/components/sign-in-form';
import { DEMO_USERS, parseUserId } from '@/lib/users';

export const metadata: Metadata = { title: 'Sign in' };

interface Props {
  readonly searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function SignInPage({ searchParams }: Props) {
  const { user } = await searchParams;
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <p className="notice">
        <strong>This is a demo: there is no password.</strong> Pick any of the demo’s users; in your
        product this is your own sign-in. What follows is what Progressrus adds: each user sees,
        live, only their own jobs.
      </p>
      <SignInForm users={DEMO_USERS} preselected={parseUserId(user)} />
    </div>
  );
}
