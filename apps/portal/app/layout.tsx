import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { currentUser } from '@/lib/current-user';
import { signOut } from '@/lib/actions';
import '@progressrus/ui/styles.css';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Acme Imports', template: '%s · Acme Imports' },
  description: 'A stand-in for your product: each user follows their own jobs live',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { readonly children: ReactNode }) {
  const session = await currentUser();
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <div className="topbar-inner">
            <a href="/" className="brand">
              <span className="brand-mark" aria-hidden="true">
                A
              </span>
              Acme Imports
            </a>
            <span className="tagline">a stand-in for your product, built on Progressrus</span>
            {session ? (
              <form action={signOut} className="whoami">
                <span>
                  Signed in as <strong>User {session.userId}</strong>
                </span>
                <button type="submit" className="button secondary">
                  Sign out
                </button>
              </form>
            ) : null}
          </div>
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
