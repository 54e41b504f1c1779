'use client';

import { formatExactDateTime, formatRelative, useNow } from '@progressrus/ui';

/**
 * "3 minutes ago", with the exact time (in the viewer's zone) on hover. Before hydration it
 * shows the UTC time, which is what the server can know.
 */
export function RelativeTime({
  value,
  empty = '—',
}: {
  readonly value: string | null;
  readonly empty?: string;
}) {
  const now = useNow();
  if (value === null) return <span className="muted">{empty}</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span className="muted">{empty}</span>;
  const text =
    now === null
      ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
      : Math.abs(now.getTime() - date.getTime()) < 5000
        ? 'just now'
        : formatRelative(date, now);
  return (
    <time
      dateTime={date.toISOString()}
      title={now === null ? date.toISOString() : formatExactDateTime(date)}
    >
      {text}
    </time>
  );
}
