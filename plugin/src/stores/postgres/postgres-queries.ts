import {
  RECORD_COLUMN_NAMES,
  RECORD_COLUMNS,
  type PostgresTables,
  type RecordColumn,
} from './postgres-schema.js';

/**
 * Every SQL statement of a PostgresStore, built once per table name. Each is one statement
 * with `$n` parameters, so it runs on pg's Pool and on PGlite alike, and every multi-step
 * change (record + scope index) is atomic without a client checked out for a transaction.
 */
export interface PostgresQueries {
  /**
   * $1: JSON array of rows keyed by column name; $2: JSON array of `{ key, last_activity_at }`.
   * Upserts the records and moves each scope's last activity forward (never back).
   */
  readonly upsert: string;
  /** $1: scope key, $2: now. Rows for `readRows()`: live records of the scope. */
  readonly selectScope: string;
  /** $1: scope key, $2: now, $3: id. At most one row for `readRows()`. */
  readonly selectOne: string;
  /** $1: scope key. Deletes the scope's records and its index row. */
  readonly deleteScope: string;
  /** $1: scope key, $2: id. Deletes one record, and the scope's index row when it was the last. */
  readonly deleteRecord: string;
  /** $1: now, $2: batch size. Deletes expired records oldest first; one row `{ removed }`. */
  readonly sweep: string;
  /** A page of scopes; see `scopesPage()`. */
  scopesPage(filter: { readonly prefix: boolean; readonly cursor: boolean }): string;
}

export function postgresQueries(tables: PostgresTables): PostgresQueries {
  const { records, scopes } = tables;
  const columns = RECORD_COLUMN_NAMES.join(', ');
  const recordset = RECORD_COLUMN_NAMES.map((column) => `${column} ${columnType(column)}`).join(
    ', ',
  );
  const updates = RECORD_COLUMN_NAMES.map((column) => `${column} = EXCLUDED.${column}`).join(', ');
  // Times as ms since the epoch and numbers as float8 read the same through every driver and
  // session (TimeZone, DateStyle, int8 parsing); the scope comes back from scope_key.
  const selected = `id, ${RECORD_COLUMN_NAMES.filter((column) => column !== 'scope')
    .map(selectAs)
    .join(', ')}`;
  const live = '(expires_at IS NULL OR expires_at > $2::timestamptz)';

  return {
    upsert: `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(scope_key text, id text, ${recordset})
), written AS (
  INSERT INTO ${records} (scope_key, id, ${columns})
  SELECT scope_key, id, ${columns} FROM input
  ON CONFLICT (scope_key, id) DO UPDATE SET ${updates}
)
INSERT INTO ${scopes} AS s (key, last_activity_at)
SELECT key, last_activity_at FROM jsonb_to_recordset($2::jsonb) AS a(key text, last_activity_at timestamptz)
ON CONFLICT (key) DO UPDATE SET last_activity_at = GREATEST(s.last_activity_at, EXCLUDED.last_activity_at)`,

    selectScope: `SELECT ${selected} FROM ${records} WHERE scope_key = $1 AND ${live}`,

    selectOne: `SELECT ${selected} FROM ${records} WHERE scope_key = $1 AND id = $3 AND ${live}`,

    deleteScope: `WITH gone AS (DELETE FROM ${records} WHERE scope_key = $1)
DELETE FROM ${scopes} WHERE key = $1`,

    // Every part of one statement sees the same snapshot, so "was it the last record" asks
    // for another record rather than for none left.
    deleteRecord: `WITH gone AS (DELETE FROM ${records} WHERE scope_key = $1 AND id = $2)
DELETE FROM ${scopes} WHERE key = $1
  AND NOT EXISTS (SELECT 1 FROM ${records} WHERE scope_key = $1 AND id <> $2)`,

    sweep: `WITH due AS (
  SELECT scope_key, id FROM ${records} WHERE expires_at <= $1::timestamptz
  ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
), gone AS (
  DELETE FROM ${records} r USING due WHERE r.scope_key = due.scope_key AND r.id = due.id
  RETURNING r.scope_key, r.id
), emptied AS (
  DELETE FROM ${scopes} s WHERE s.key IN (SELECT scope_key FROM gone)
    AND NOT EXISTS (
      SELECT 1 FROM ${records} r WHERE r.scope_key = s.key
        AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.scope_key = r.scope_key AND g.id = r.id)
    )
)
SELECT count(*)::int AS removed FROM gone`,

    scopesPage: ({ prefix, cursor }) => {
      // Parameters: $1 limit, then the prefix pattern, then the cursor's time and key.
      const where: string[] = [];
      let next = 2;
      if (prefix) where.push(`key LIKE $${next++}`);
      if (cursor) where.push(`(last_activity_at, key) < ($${next++}::timestamptz, $${next++})`);
      return `SELECT key, (extract(epoch FROM last_activity_at) * 1000)::float8 AS activity_ms
FROM ${scopes}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
ORDER BY last_activity_at DESC, key DESC LIMIT $1`;
    },
  };
}

/** `user:%` for the prefix `user:`, with LIKE's wildcards in the prefix matched literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

function columnType(column: RecordColumn): string {
  return RECORD_COLUMNS[column].replace(/ NOT NULL.*$/, '');
}

function selectAs(column: RecordColumn): string {
  const type = columnType(column);
  if (type === 'timestamptz') return `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`;
  if (type === 'jsonb') return `${column}::text AS ${column}`;
  if (type === 'text') return column;
  return `${column}::float8 AS ${column}`;
}
