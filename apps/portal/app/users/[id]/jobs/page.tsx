import type { Metadata } from 'next';
import { forbidden, notFound, redirect } from 'next/navigation';
import { LiveJobs } from '@/components/live-jobs';
import { StartImportForm } from '@/components/start-import-form';
import { currentUser } from '@/lib/current-user';
import { IMPORT_SIZES } from '@/lib/imports';
import { issueProgressToken } from '@/lib/progress-token';
import { firstJobs } from '@/lib/store';
import { parseUserId } from '@/lib/users';

export const metadata: Metadata = { title: 'My jobs' };

interface Props {
  readonly params: Promise<{ id: string }>;
}

const SIZES = Object.entries(IMPORT_SIZES).map(([value, { label }]) => ({ value, label }));

/**
 * "My jobs": the page mints a short-lived token for the signed-in user's scope and hands it,
 * with the first page of jobs read here, to the live list. Another user's id in the URL is a
 * 403 before anything is read.
 */
export default async function MyJobsPage({ params }: Props) {
  const session = await currentUser();
  if (session === null) redirect('/sign-in');
  const userId = parseUserId((await params).id);
  if (userId === null) notFound();
  if (userId !== session.userId) forbidden();
  return (
    <>
      <h1>My jobs</h1>
      <StartImportForm sizes={SIZES} />
      <LiveJobs
        scope={`user:${userId}`}
        initialToken={issueProgressToken(userId)}
        initialJobs={await firstJobs(userId)}
      />
    </>
  );
}
