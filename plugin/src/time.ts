// Ruby's Time#to_s: "2013-12-08 10:53:41 -0500" (also "... UTC" and fractional seconds).
const RUBY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? ?(?:([+-])(\d{2}):?(\d{2})|(UTC|Z))$/;
// ISO-8601 with a date, a time and an offset, as written by ActiveSupport and by us.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Parses the time formats of the Ruby gem and ISO-8601; `undefined` when it is neither. */
export function parseTime(text: string): Date | undefined {
  // Fast path for what we write ourselves: "2026-11-27T20:15:40.486Z".
  if (text.length === 24 && text.charCodeAt(23) === 90 /* Z */ && ISO_UTC_MS.test(text)) return valid(new Date(text));
  const ruby = RUBY_TIME.exec(text);
  if (ruby) {
    const [, y, mo, d, h, mi, s, frac, sign, oh, om] = ruby;
    const offset = sign ? `${sign}${oh}:${om}` : 'Z';
    return valid(new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ?? ''}${offset}`));
  }
  if (ISO_TIME.test(text)) return valid(new Date(text));
  return undefined;
}

function valid(date: Date): Date | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** We write ISO-8601 in UTC with milliseconds, which Ruby's `Time.parse` reads. */
export function formatTime(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
