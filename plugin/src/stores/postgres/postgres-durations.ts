import {
  DURATION_SAMPLES,
  type DurationSample,
  durationKey,
  durationSample,
  summarize,
  type TypicalDuration,
} from '../../core/durations.js';
import type { ProgressRecord } from '../../core/record.js';
import type { PostgresTables } from './postgres-schema.js';

/**
 * The completions table of a PostgresStore (`<table>_durations`): one row per completed record
 * (key = JSON [queue, name], id), the newest `DURATION_SAMPLES` per key kept, each row expiring
 * with its record. See `core/durations.ts`.
 */
export interface DurationQueries {
  readonly table: string;
  /** Idempotent DDL, run by `migrate()`. */
  readonly migrate: string;
  /** $1: JSON array of rows; adds them and trims each key to its newest samples. */
  readonly insert: string;
  /** $1: key, $2: now (ISO-8601). */
  readonly select: string;
}

export function durationQueries(tables: PostgresTables): DurationQueries {
  const table = tables.records.replace(/"$/, '_durations"');
  return {
    table,
    // Under the advisory lock of the records' migration: processes that migrate at once queue.
    migrate: `DO $migrate$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('progressrus migrate ' || '${tables.records.replaceAll("'", "''")}'));
  CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  duration_ms double precision NOT NULL,
  items double precision,
  completed_at timestamptz NOT NULL,
  expires_at timestamptz,
  PRIMARY KEY (key, id)
  );
END
$migrate$;`,
    // The trim sees the table as it was before this statement's insert, so a key holds at most
    // one batch more than DURATION_SAMPLES until its next completion; reads take the newest.
    insert: `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS d(key text, id text, duration_ms double precision, items double precision, completed_at timestamptz, expires_at timestamptz)
), added AS (
  INSERT INTO ${table} AS t (key, id, duration_ms, items, completed_at, expires_at)
  SELECT key, id, duration_ms, items, completed_at, expires_at FROM input
  ON CONFLICT (key, id) DO UPDATE SET duration_ms = EXCLUDED.duration_ms, items = EXCLUDED.items,
    completed_at = EXCLUDED.completed_at, expires_at = EXCLUDED.expires_at
)
DELETE FROM ${table} d USING (
  SELECT key, id, row_number() OVER (PARTITION BY key ORDER BY completed_at DESC, id) AS n
  FROM ${table} WHERE key IN (SELECT key FROM input)
) r
WHERE d.key = r.key AND d.id = r.id AND r.n > ${DURATION_SAMPLES};`,
    select: `SELECT id, duration_ms, items, (extract(epoch FROM completed_at) * 1000)::float8 AS completed_ms
FROM ${table} WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2::timestamptz)
ORDER BY completed_at DESC, id LIMIT ${DURATION_SAMPLES}`,
  };
}

/** The rows that `insert` takes for the completed records among `records`. */
export function durationRows(records: readonly ProgressRecord[]): unknown[] {
  const rows: unknown[] = [];
  for (const record of records) {
    const sample = durationSample(record);
    if (!sample) continue;
    rows.push({
      key: durationKey(record.name, record.queue),
      id: sample.id,
      duration_ms: sample.durationMs,
      items: sample.items,
      completed_at: new Date(sample.completedAtMs),
      expires_at: record.expiresAt,
    });
  }
  return rows;
}

export function typicalFromRows(name: string, queue: string | null, rows: readonly unknown[]): TypicalDuration | null {
  const samples: DurationSample[] = (rows as Record<string, unknown>[]).map((row) => ({
    id: String(row.id),
    durationMs: Number(row.duration_ms),
    items: row.items === null || row.items === undefined ? null : Number(row.items),
    completedAtMs: Number(row.completed_ms),
  }));
  return summarize(name, queue, samples);
}
