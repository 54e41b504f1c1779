/**
 * A job's progress history: (time, count) samples taken at the writes that already happen,
 * thinned so that a job of any length keeps at most `HISTORY_POINTS` of them, and written with
 * the record in a compact form of about 200 bytes.
 */

/** One sample of a job's progress. */
export interface HistoryPoint {
  readonly at: Date;
  readonly count: number;
  /** A new attempt of the job (a BullMQ retry) began here. */
  readonly retry: boolean;
}

/** The most samples a record keeps, the latest write included. */
export const HISTORY_POINTS = 62;
/** Most retry marks kept: they are never thinned out, so a job retried forever stays bounded. */
const MAX_RETRIES = 8;
/** 12 bits per coordinate, two characters of base64url each. */
const SCALE = 4095;
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RETRY_MARK = '.';

interface Sample {
  readonly atMs: number;
  readonly count: number;
  readonly retry: boolean;
}

/**
 * The writer's side: every write offers a sample; one is kept when at least `strideMs` passed
 * since the last kept one. When the buffer is full, every other sample goes (the first and the
 * retry marks stay) and the stride doubles, so the kept samples stay evenly spread over the
 * whole job. The latest write is always the last point, exact.
 */
export class HistoryBuffer {
  #samples: Sample[] = [];
  #strideMs: number;
  #latest: Sample | null = null;
  #retryNext = false;

  constructor(intervalMs: number, previous: readonly HistoryPoint[] = []) {
    this.#strideMs = Math.max(1, intervalMs);
    for (const point of previous)
      this.#keep({ atMs: point.at.getTime(), count: point.count, retry: point.retry });
    // A history carried over from an earlier attempt: this attempt's first sample marks the retry.
    this.#retryNext = previous.length > 0;
  }

  /** Offers the sample of a write. */
  add(atMs: number, count: number): void {
    const sample = { atMs, count, retry: this.#retryNext };
    this.#retryNext = false;
    const last = this.#samples.at(-1);
    if (last === undefined || sample.retry || atMs - last.atMs >= this.#strideMs)
      this.#keep(sample);
    else this.#latest = sample;
  }

  /** The kept samples and the latest one, oldest first. */
  points(): HistoryPoint[] {
    const samples = this.#latest ? [...this.#samples, this.#latest] : this.#samples;
    return samples.map((s) => ({ at: new Date(s.atMs), count: s.count, retry: s.retry }));
  }

  #keep(sample: Sample): void {
    this.#samples.push(sample);
    this.#latest = null;
    // One place stays free for the latest write.
    while (this.#samples.length > HISTORY_POINTS - 1) this.#thin();
  }

  #thin(): void {
    const samples = this.#samples;
    const marks = samples.filter((s) => s.retry).slice(-MAX_RETRIES);
    const kept = samples.filter(
      (s, i) => i === 0 || i === samples.length - 1 || i % 2 === 0 || marks.includes(s),
    );
    this.#samples = kept.length < samples.length ? kept : [...kept.slice(0, 1), ...kept.slice(2)];
    this.#strideMs *= 2;
  }
}

/**
 * The wire form: `[span ms, count scale, "points"]`. Each point is two base64url characters of
 * time (0–4095 of the span, ending at the record's `updated_at`) and two of count (0–4095 of the
 * scale, exact when the scale is 4095 or less); a `.` before a point marks a retry. The first
 * point's time and the last point's time and count are exact: the first is `updated_at − span`,
 * the last is the record's own `updated_at` and `count`.
 */
export type EncodedHistory = readonly [number, number, string];

export function encodeHistory(points: readonly HistoryPoint[]): EncodedHistory | null {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return null;
  const startMs = first.at.getTime();
  const spanMs = last.at.getTime() - startMs;
  const scale = Math.max(1, ...points.map((p) => p.count));
  let text = '';
  for (const point of points) {
    if (point.retry) text += RETRY_MARK;
    text += digits(spanMs > 0 ? ((point.at.getTime() - startMs) / spanMs) * SCALE : 0);
    text += digits(scale <= SCALE ? point.count : (point.count / scale) * SCALE);
  }
  return [spanMs, scale, text];
}

/** Reads the wire form back; `null` when it is malformed (the caller names the field). */
export function decodeHistory(
  value: unknown,
  updatedAt: Date | null,
  count: number,
): HistoryPoint[] | null {
  if (!Array.isArray(value) || value.length !== 3 || updatedAt === null) return null;
  const [spanMs, scale, text] = value as unknown[];
  if (typeof spanMs !== 'number' || typeof scale !== 'number' || typeof text !== 'string')
    return null;
  if (!(spanMs >= 0) || !(scale >= 1) || !Number.isFinite(spanMs + scale)) return null;
  const endMs = updatedAt.getTime();
  const points: HistoryPoint[] = [];
  for (let i = 0; i < text.length; ) {
    const retry = text[i] === RETRY_MARK;
    if (retry) i += 1;
    const time = value12(text, i);
    const units = value12(text, i + 2);
    if (time === null || units === null) return null;
    i += 4;
    points.push({
      at: new Date(endMs - spanMs + Math.round((time / SCALE) * spanMs)),
      count: scale <= SCALE ? units : Math.round((units / SCALE) * scale),
      retry,
    });
  }
  const last = points.at(-1);
  if (last) points[points.length - 1] = { at: updatedAt, count, retry: last.retry };
  return points;
}

function digits(value: number): string {
  const v = Math.max(0, Math.min(SCALE, Math.round(value)));
  return (DIGITS[v >> 6] as string) + (DIGITS[v & 63] as string);
}

function value12(text: string, at: number): number | null {
  const high = text[at];
  const low = text[at + 1];
  if (high === undefined || low === undefined) return null;
  const h = DIGITS.indexOf(high);
  const l = DIGITS.indexOf(low);
  return h < 0 || l < 0 ? null : (h << 6) | l;
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * `▁▂▃▄▅▆▇█`: the progress made in each of `width` equal slices of the time the points span,
 * scaled to the busiest slice, as block characters (the CLI's `watch` and the UI's sparkline).
 */
export function sparklineOf(points: readonly { atMs: number; count: number }[], width = 16): string {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return '';
  const span = last.atMs - first.atMs;
  const countAt = (ms: number) => {
    let i = 1;
    while (i < points.length - 1 && (points[i] as { atMs: number }).atMs < ms) i++;
    const a = points[i - 1] as { atMs: number; count: number };
    const b = points[i] as { atMs: number; count: number };
    return b.atMs === a.atMs ? b.count : a.count + ((b.count - a.count) * (ms - a.atMs)) / (b.atMs - a.atMs);
  };
  const steps = Array.from({ length: width }, (_, i) =>
    Math.max(0, countAt(first.atMs + (span * (i + 1)) / width) - countAt(first.atMs + (span * i) / width)),
  );
  const max = Math.max(...steps);
  return steps.map((s) => (max === 0 ? BARS[0] : BARS[Math.min(7, Math.round((s / max) * 7))])).join('');
}
