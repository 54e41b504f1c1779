import Link from 'next/link';
import type { Status } from 'progressrus';
import { formatCount } from '@/lib/format';

export interface StatusTab {
  /** null: every job. */
  readonly status: Status | null;
  readonly label: string;
  readonly href: string;
  readonly count: number;
}

/** The status filter of a scope page: links, so the filter lives in the URL. */
export function StatusTabs({
  tabs,
  current,
}: {
  readonly tabs: readonly StatusTab[];
  readonly current: Status | null;
}) {
  return (
    <nav className="tabs" aria-label="Filter by status">
      {tabs.map((tab) => (
        <Link
          key={tab.status ?? 'all'}
          href={tab.href}
          aria-current={tab.status === current ? 'page' : undefined}
          data-status={tab.status ?? undefined}
        >
          {tab.label} <span className="tab-count">{formatCount(tab.count)}</span>
        </Link>
      ))}
    </nav>
  );
}
