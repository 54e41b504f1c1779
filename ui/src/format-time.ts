/**
 * Date and time formatting in the viewer's locale and time zone, with formatters cached:
 * building an `Intl` formatter costs far more than using one, and a list formats many times.
 */

export interface TimeFormatOptions {
  /** BCP 47 locale. @default the viewer's */
  readonly locale?: string | undefined;
  /** IANA time zone. @default the viewer's */
  readonly timeZone?: string | undefined;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function dateTimeFormat(
  locale: string | undefined,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `d|${locale ?? ''}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

function relativeTimeFormat(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = `r|${locale ?? ''}`;
  let format = cache.get(key) as Intl.RelativeTimeFormat | undefined;
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    cache.set(key, format);
  }
  return format;
}

const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.345],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "in 3 minutes", "5 seconds ago", "now": the largest unit that keeps the number ≥ 1. */
export function formatRelative(date: Date, now: Date, options: TimeFormatOptions = {}): string {
  let value = (date.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(value) < size)
      return relativeTimeFormat(options.locale).format(Math.round(value), unit);
    value /= size;
  }
  return relativeTimeFormat(options.locale).format(Math.round(value), 'year');
}

/** Short form for a list: the time alone when it falls on `now`'s day, else date and time. */
export function formatShortDateTime(
  date: Date,
  now: Date,
  options: TimeFormatOptions = {},
): string {
  const day = dateTimeFormat(options.locale, { dateStyle: 'medium', timeZone: options.timeZone });
  if (day.format(date) === day.format(now)) {
    return dateTimeFormat(options.locale, {
      timeStyle: 'medium',
      timeZone: options.timeZone,
    }).format(date);
  }
  return dateTimeFormat(options.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: options.timeZone,
  }).format(date);
}

/** The exact time with its zone, for a tooltip: "Friday, November 27, 2026 at 8:40:05 PM UTC". */
export function formatExactDateTime(date: Date, options: TimeFormatOptions = {}): string {
  return dateTimeFormat(options.locale, {
    dateStyle: 'full',
    timeStyle: 'long',
    timeZone: options.timeZone,
  }).format(date);
}

/**
 * What the server renders (and the first client render repeats, so hydration matches) before
 * the viewer's zone is known: locale- and zone-independent, "2026-11-27 20:40 UTC".
 */
export function formatNeutral(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Parses an ISO string (as in `JobDTO`) or passes a Date through; null for null or garbage. */
export function toDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
