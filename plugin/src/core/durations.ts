import type { ProgressRecord } from './record.js';

/**
 * How long jobs of one name (and queue) usually take, from the last completed ones: what a job
 * that has not started, or has barely started, can be expected to take ("usually about 4 min"),
 * and the prior of its ETA while its own evidence is thin.
 *
 * Stores keep the last `DURATION_SAMPLES` completions per name and queue, each expiring with
 * its record, and add a completion inside the write of the completed record (no write of its
 * own); keyed by record id, so writing a completed record again changes nothing.
 */
export const DURATION_SAMPLES = 32;

/** One completed job, as a store keeps it. */
export interface DurationSample {
  readonly id: string;
  readonly durationMs: number;
  /** Items the job did (its total), when known: gives the usual rate. */
  readonly items: number | null;
  readonly completedAtMs: number;
}

export interface TypicalDuration {
  readonly name: string;
  readonly queue: string | null;
  /** Completed jobs the figures come from (at most `DURATION_SAMPLES`). */
  readonly samples: number;
  /** The median duration, and the quartiles around it. */
  readonly medianMs: number;
  readonly lowMs: number;
  readonly highMs: number;
  /** The median of items per second over the samples that knew their total; null when none did. */
  readonly ratePerSecond: number | null;
}

/** The sample a completed record adds; null for a record that did not complete after starting. */
export function durationSample(record: ProgressRecord): DurationSample | null {
  if (record.completedAt === null || record.startedAt === null || record.failedAt !== null) return null;
  const durationMs = record.completedAt.getTime() - record.startedAt.getTime();
  if (!(durationMs > 0)) return null;
  return {
    id: record.id,
    durationMs,
    items: record.total ?? (record.count > 0 ? record.count : null),
    completedAtMs: record.completedAt.getTime(),
  };
}

/** The key one name and queue's samples are kept under: JSON, so no name can collide with another. */
export function durationKey(name: string, queue: string | null): string {
  return JSON.stringify([queue, name]);
}

/** Samples as a store writes them in a list or sorted set member: `id`, ms, items, tab-separated. */
export function encodeSample(sample: DurationSample): string {
  return `${sample.durationMs}\t${sample.items ?? ''}\t${sample.id}`;
}

export function decodeSample(text: string, completedAtMs: number): DurationSample | null {
  const [ms, items, ...id] = text.split('\t');
  const durationMs = Number(ms);
  const count = items === '' || items === undefined ? null : Number(items);
  if (!(durationMs > 0) || (count !== null && !(count >= 0))) return null;
  return { id: id.join('\t'), durationMs, items: count, completedAtMs };
}

/** The newest `DURATION_SAMPLES` of `samples`, summed up; null when there are none. */
export function summarize(
  name: string,
  queue: string | null,
  samples: readonly DurationSample[],
): TypicalDuration | null {
  const recent = [...samples]
    .sort((a, b) => b.completedAtMs - a.completedAtMs)
    .slice(0, DURATION_SAMPLES);
  if (recent.length === 0) return null;
  const durations = recent.map((s) => s.durationMs).sort((a, b) => a - b);
  const rates = recent
    .filter((s) => s.items !== null && s.items > 0)
    .map((s) => ((s.items as number) * 1000) / s.durationMs)
    .sort((a, b) => a - b);
  return {
    name,
    queue,
    samples: recent.length,
    medianMs: quantile(durations, 0.5),
    lowMs: quantile(durations, 0.25),
    highMs: quantile(durations, 0.75),
    ratePerSecond: rates.length > 0 ? quantile(rates, 0.5) : null,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = sorted[Math.floor(position)] as number;
  const high = sorted[Math.ceil(position)] as number;
  return low + (high - low) * (position - Math.floor(position));
}

/** "4 min", "35 s", "2 h 10 min": how long, in words a dashboard can show. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
