import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/current-user';

/** The signed-in user's jobs, or the sign-in page. */
export default async function Home(): Promise<never> {
  const session = await currentUser();
  redirect(session ? `/users/${session.userId}/jobs` : '/sign-in');
}
