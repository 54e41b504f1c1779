import type { Metadata } from 'next';
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

export default function RootLayout({ children }: { readonly children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant, no user data */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
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
