import { expected } from '../../core/errors.js';

/**
 * The two tables of a PostgresStore, for a `table` option of `progressrus`:
 *
 * - `progressrus`         one row per record; primary key (scope_key, id). Serves `scope()`
 *                         and `find()`; a partial index on `expires_at` serves the sweep.
 * - `progressrus_scopes`  one row per scope with its last activity, kept by the same
 *                         statement that writes records. Its primary key serves the prefix
 *                         filter, an index on (last_activity_at, key) the newest-first pages.
 *
 * Keys are `COLLATE "C"`: byte order, as Redis sorts, so cursors page the same way in every
 * store, and a plain btree serves `LIKE 'user:%'` (other collations need text_pattern_ops).
 */
export interface PostgresTables {
  /** Quoted, possibly schema-qualified name of the records table. */
  readonly records: string;
  /** Quoted name of the scopes table, in the same schema. */
  readonly scopes: string;
  /** The bare table name, the stem of the index names. */
  readonly stem: string;
}

// Room for the longest suffix within PostgreSQL's 63-byte identifiers.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/** Validates `table` (`'progressrus'`, `'app.progressrus'`) and derives every name from it. */
export function postgresTables(table: unknown): PostgresTables {
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw expected(
      'table',
      'a table name of letters, digits and _ (≤ 40), optionally schema-qualified',
      table,
    );
  }
  const stem = parts.at(-1) as string;
  const schema = parts.length === 2 ? `"${parts[0]}".` : '';
  return { records: `${schema}"${stem}"`, scopes: `${schema}"${stem}_scopes"`, stem };
}

/** The value columns of the records table, beside the key (scope_key, id); named as the JSON keys of the wire format. */
export const RECORD_COLUMNS = {
  scope: 'text[]',
  name: 'text',
  count: 'bigint NOT NULL DEFAULT 0',
  total: 'bigint',
  params: "jsonb NOT NULL DEFAULT '{}'",
  error_count: 'bigint NOT NULL DEFAULT 0',
  started_at: 'timestamptz',
  updated_at: 'timestamptz',
  completed_at: 'timestamptz',
  failed_at: 'timestamptz',
  expires_at: 'timestamptz',
  rate: 'double precision',
  interval_ms: 'double precision',
  state: 'text',
  error_message: 'text',
  queue: 'text',
  job_id: 'text',
  attempt: 'integer',
  actions: "jsonb NOT NULL DEFAULT '[]'",
} as const;

export type RecordColumn = keyof typeof RECORD_COLUMNS;
export const RECORD_COLUMN_NAMES = Object.keys(RECORD_COLUMNS) as RecordColumn[];

/**
 * One statement (a DO block, so it runs as one transaction on a pool and on PGlite alike)
 * that creates the tables or brings older ones up to date. Every step is idempotent, and an
 * advisory lock keeps two processes migrating at once from racing.
 */
export function migrationSql(tables: PostgresTables): string {
  const { records, scopes, stem } = tables;
  // A table made by an older version gains the newer columns; each NOT NULL one has a default.
  const addColumns = RECORD_COLUMN_NAMES.map(
    (column) =>
      `ALTER TABLE ${records} ADD COLUMN IF NOT EXISTS ${column} ${RECORD_COLUMNS[column]};`,
  );
  return `DO $migrate$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('progressrus migrate ' || ${literal(records)}));
  CREATE TABLE IF NOT EXISTS ${records} (
    scope_key text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    ${RECORD_COLUMN_NAMES.map((column) => `${column} ${RECORD_COLUMNS[column]}`).join(',\n    ')},
    PRIMARY KEY (scope_key, id)
  );
  ${addColumns.join('\n  ')}
  CREATE INDEX IF NOT EXISTS "${stem}_expires_at_idx" ON ${records} (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS ${scopes} (
    key text COLLATE "C" PRIMARY KEY,
    last_activity_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS "${stem}_scopes_activity_idx" ON ${scopes} (last_activity_at, key);
END
$migrate$;`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
