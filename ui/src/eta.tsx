'use client';

import {
  formatExactDateTime,
  formatNeutral,
  formatRelative,
  type TimeFormatOptions,
  toDate,
} from './format-time.js';
import { UnknownValue } from './unknown-value.js';
import { useNow } from './use-now.js';

export interface EtaProps extends TimeFormatOptions {
  /** The estimated finish (`JobDTO.eta`); null when there is no estimate. */
  readonly value: string | Date | null;
  /** The time to count from. @default now, ticking every second */
  readonly now?: Date;
  /** Read when there is no estimate (unknown total, stalled, finished). @default 'Unknown' */
  readonly unknownLabel?: string;
  readonly className?: string;
}

/**
 * The estimated finish as a relative time ("in 3 minutes"), in a `<time>` element whose
 * `title` holds the exact time in the viewer's zone. An estimate already passed reads "now":
 * the job is late, not finished "2 minutes ago".
 *
 * @example
 * <Eta value={job.eta} />
 */
export function Eta({
  value,
  now,
  locale,
  timeZone,
  unknownLabel = 'Unknown',
  className,
}: EtaProps) {
  const current = useNow(now);
  const date = toDate(value);
  if (date === null) return <UnknownValue label={unknownLabel} />;
  const options = { locale, timeZone };
  let text = formatNeutral(date);
  if (current)
    text = formatRelative(date.getTime() < current.getTime() ? current : date, current, options);
  return (
    <time
      className={className ?? 'progressrus-eta'}
      dateTime={date.toISOString()}
      title={current ? formatExactDateTime(date, options) : date.toISOString()}
    >
      {text}
    </time>
  );
}
