'use client';

import {
  formatExactDateTime,
  formatNeutral,
  formatShortDateTime,
  type TimeFormatOptions,
  toDate,
} from './format-time.js';
import { UnknownValue } from './unknown-value.js';
import { useNow } from './use-now.js';

export interface LocalTimeProps extends TimeFormatOptions {
  /** An ISO-8601 string (as in `JobDTO`) or a Date; null shows `unknownLabel`. */
  readonly value: string | Date | null;
  /** The reference time (same day → time only). @default now, ticking */
  readonly now?: Date;
  /** Read for a missing time. @default 'Unknown' */
  readonly unknownLabel?: string;
  readonly className?: string;
}

/**
 * A point in time in the viewer's time zone, as a `<time>` element whose `title` holds the
 * exact time with its zone. Until hydration it shows a zone-neutral UTC time, so server and
 * browser render the same text.
 *
 * @example
 * <LocalTime value={job.startedAt} />
 */
export function LocalTime({
  value,
  now,
  locale,
  timeZone,
  unknownLabel = 'Unknown',
  className,
}: LocalTimeProps) {
  const current = useNow(now);
  const date = toDate(value);
  if (date === null) return <UnknownValue label={unknownLabel} />;
  const options = { locale, timeZone };
  return (
    <time
      className={className ?? 'progressrus-time'}
      dateTime={date.toISOString()}
      title={current ? formatExactDateTime(date, options) : date.toISOString()}
    >
      {current ? formatShortDateTime(date, current, options) : formatNeutral(date)}
    </time>
  );
}
