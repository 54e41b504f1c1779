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
import { TurnBatch } from '../turn-batch.js';

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
  /** $1: keys (text[]), $2: now (ISO-8601). Rows `{ key, id, duration_ms, items, completed_ms }`. */
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
    // Each key's newest samples by the primary key; `COLLATE "C"`: the keys' own collation.
    select: `SELECT k.key, d.id, d.duration_ms, d.items, d.completed_ms FROM unnest($1::text[]) AS k(key)
CROSS JOIN LATERAL (
  SELECT id, duration_ms, items, (extract(epoch FROM completed_at) * 1000)::float8 AS completed_ms
  FROM ${table} WHERE key = k.key COLLATE "C" AND (expires_at IS NULL OR expires_at > $2::timestamptz)
  ORDER BY completed_at DESC, id LIMIT ${DURATION_SAMPLES}
) d`,
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

/**
 * The typical-duration lookups of a store. Those made in one turn go to the database as one
 * statement (see TurnBatch): a page of 50 unfinished jobs of 50 names, one round trip instead of
 * 50 on a pool of 10 connections.
 */
export class DurationLookups {
  readonly #batch: TurnBatch<unknown[]>;

  constructor(
    query: (text: string, params: unknown[]) => Promise<unknown[]>,
    queries: DurationQueries,
    now: () => number,
  ) {
    this.#batch = new TurnBatch(async (keys) => {
      const rows = (await query(queries.select, [keys, new Date(now()).toISOString()])) as { key: string }[];
      const byKey = new Map<string, unknown[]>();
      for (const row of rows) {
        const list = byKey.get(row.key);
        if (list) list.push(row);
        else byKey.set(row.key, [row]);
      }
      return byKey;
    });
  }

  async lookUp(name: string, queue: string | null): Promise<TypicalDuration | null> {
    return typicalFromRows(name, queue, (await this.#batch.get(durationKey(name, queue))) ?? []);
  }
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
