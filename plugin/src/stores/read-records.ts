import { decodeRecord } from '../core/codec.js';
import { MalformedRecordError } from '../core/errors.js';
import { Tick } from '../core/tick.js';

/** The default `onMalformed`: a warning, since a bad record must never hide the others. */
export function warnMalformed(error: Error): void {
  console.warn(`[progressrus] ${error.message}`);
}

/**
 * Decodes stored values into ticks. A value that cannot be decoded is reported and skipped;
 * a record past its `expires_at` is left out (the sweep removes it).
 */
export function readRecords(
  scopeKey: string,
  entries: Iterable<[id: string, raw: string]>,
  readAtMs: number,
  onMalformed: (error: Error) => void,
): Tick[] {
  const readAt = new Date(readAtMs);
  const ticks: Tick[] = [];
  for (const [id, raw] of entries) {
    const tick = readRecord(scopeKey, id, raw, readAt, onMalformed);
    if (tick) ticks.push(tick);
  }
  return ticks;
}

export function readRecord(
  scopeKey: string,
  id: string,
  raw: string,
  readAt: Date,
  onMalformed: (error: Error) => void,
): Tick | null {
  try {
    const record = decodeRecord(raw, scopeKey, id);
    if (record.expiresAt !== null && record.expiresAt.getTime() <= readAt.getTime()) return null;
    return new Tick(record, readAt);
  } catch (error) {
    if (!(error instanceof MalformedRecordError)) throw error;
    onMalformed(error);
    return null;
  }
}
