import { currentUser } from '@/lib/current-user';

/** 403: another user's page. Says so in words, and where the visitor's own jobs are. */
export default async function Forbidden() {
  const session = await currentUser();
  return (
    <div className="notice error" role="alert">
      <h1>403 Forbidden: these are not your jobs</h1>
      <p>
        Each user sees only their own jobs.
        {session ? (
          <>
            {' '}
            You are signed in as User {session.userId}:{' '}
            <a href={`/users/${session.userId}/jobs`}>see your jobs</a>.
          </>
        ) : (
          <>
            {' '}
            <a href="/sign-in">Sign in</a> to see yours.
          </>
        )}
      </p>
    </div>
  );
}
