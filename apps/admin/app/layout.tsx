import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ThemeToggle } from '@/components/theme-toggle';
import '@progressrus/ui/styles.css';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Progressrus admin', template: '%s · Progressrus admin' },
  description: 'Progress of long-running jobs, by scope',
  robots: { index: false, follow: false },
};

// Applies the saved theme before the first paint, so a dark-mode user never sees a white flash.
const THEME_SCRIPT = `try{var t=localStorage.getItem('progressrus-theme');if(t==='dark'||t==='light')document.documentElement.dataset.theme=t}catch(e){}`;

/**
 * Reading the request's nonce (proxy.ts) makes every page render per request, which a nonce
 * needs: Next.js puts it on its own scripts, and the theme script carries it here.
 */
export default async function RootLayout({ children }: { readonly children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant, no user data */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <header className="topbar">
          <div className="topbar-inner">
            <Link href="/" className="brand">
              <span className="brand-mark" aria-hidden="true">
                P
              </span>
              Progressrus
            </Link>
            <nav className="nav" aria-label="Main">
              <Link href="/">Scopes</Link>
              {/* A plain link: bull-board is its own app, not a Next.js page. */}
              <a href="/queues">Queues</a>
            </nav>
            <ThemeToggle />
          </div>
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
