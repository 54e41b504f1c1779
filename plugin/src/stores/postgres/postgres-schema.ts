import { expected } from '../../core/errors.js';
import { STATUSES } from '../../core/record.js';
import { STALLED_AFTER_INTERVALS, type WrittenStatus } from '../../core/tick.js';
import type { JobSort } from '../job-query.js';

/**
 * The two tables of a PostgresStore, for a `table` option of `progressrus`:
 *
 * - `progressrus`         one row per record; primary key (scope_key, id). Serves `scope()`
 *                         and `find()`; a partial index on `expires_at` serves the sweep.
 *                         Beside the record's columns, what `jobs()` reads by index (see
 *                         INDEX_COLUMNS): one (scope_key, sort key, id) index per sort, so a
 *                         page is an index range scan with LIMIT, never a sort of the scope.
 * - `progressrus_scopes`  one row per scope with its last activity and its counts by
 *                         written status, kept by the same statement that writes records.
 *                         Its primary key serves the prefix filter, an index on
 *                         (last_activity_at, key) the newest-first pages.
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
  history: 'jsonb',
} as const;

export type RecordColumn = keyof typeof RECORD_COLUMNS;
export const RECORD_COLUMN_NAMES = Object.keys(RECORD_COLUMNS) as RecordColumn[];

/**
 * Columns the writer derives from the record for `jobs()` (job-query.ts), never read back:
 * the written status and stall time (`stalled` is derived from them at read time), and the
 * sort keys, a missing one stored as -Infinity so it sorts lowest as in every store.
 * `prev_status` and `prev_stallable` are what the record was before the latest write: the
 * upsert's RETURNING gives them, so the counters move exactly even when two writers race on
 * one record.
 */
export const INDEX_COLUMNS = {
  status: 'text',
  stalled_at_ms: 'double precision',
  sort_updated: "double precision NOT NULL DEFAULT '-Infinity'",
  sort_started: "double precision NOT NULL DEFAULT '-Infinity'",
  sort_percentage: "double precision NOT NULL DEFAULT '-Infinity'",
  sort_name: `text COLLATE "C" NOT NULL DEFAULT ''`,
  name_search: `text COLLATE "C" NOT NULL DEFAULT ''`,
  prev_status: 'text',
  prev_stallable: 'boolean',
} as const;

export type IndexColumn = keyof typeof INDEX_COLUMNS;
/** The index columns a write sets (the `prev_` ones are set by the upsert itself). */
export const WRITTEN_INDEX_COLUMNS = (Object.keys(INDEX_COLUMNS) as IndexColumn[]).filter(
  (column) => !column.startsWith('prev_'),
);

/** The column of each sort's key. */
export const SORT_COLUMNS = {
  updatedAt: 'sort_updated',
  startedAt: 'sort_started',
  name: 'sort_name',
  percentage: 'sort_percentage',
} as const satisfies Record<JobSort, IndexColumn>;

/** The counter column of each written status in the scopes table: `n_waiting_children`. */
export function counterColumn(status: WrittenStatus): string {
  return `n_${status.replaceAll('-', '_')}`;
}

export const WRITTEN_STATUSES: readonly WrittenStatus[] = STATUSES.filter(
  (status): status is WrittenStatus => status !== 'stalled',
);

/** The statuses whose records can turn `stalled` (those with a stall time: `stalled_at_ms`). */
export const STALLABLE_STATUSES = ['running', 'started'] as const satisfies readonly WrittenStatus[];

/** The counter of the records of a status that have a stall time: `n_running_stallable`. */
export function stallableColumn(status: (typeof STALLABLE_STATUSES)[number]): string {
  return `n_${status}_stallable`;
}

/**
 * Every counter of the scopes table, and the SQL test of the rows it counts (`row` has
 * `status` and `stallable`): one per written status, and one per stallable status for the
 * records with a stall time. `stalled` is then those less the few that are not yet silent.
 */
export const COUNTERS: readonly { readonly column: string; test(row: string): string }[] = [
  ...WRITTEN_STATUSES.map((status) => ({
    column: counterColumn(status),
    test: (row: string) => `${row}.status = '${status}'`,
  })),
  ...STALLABLE_STATUSES.map((status) => ({
    column: stallableColumn(status),
    test: (row: string) => `${row}.status = '${status}' AND ${row}.stallable`,
  })),
];

/**
 * One statement (a DO block, so it runs as one transaction on a pool and on PGlite alike)
 * that creates the tables or brings older ones up to date. Every step is idempotent, and an
 * advisory lock keeps two processes migrating at once from racing.
 */
export function migrationSql(tables: PostgresTables): string {
  const { records, scopes, stem } = tables;
  // A table made by an older version gains the newer columns; each NOT NULL one has a default.
  const columns = { ...RECORD_COLUMNS, ...INDEX_COLUMNS };
  const names = Object.keys(columns) as (keyof typeof columns)[];
  // A table made by an older version gains the newer columns; each NOT NULL one has a default.
  const addColumns = names.map(
    (column) => `ALTER TABLE ${records} ADD COLUMN IF NOT EXISTS ${column} ${columns[column]};`,
  );
  const counters = COUNTERS.map((counter) => counter.column);
  // updatedAt's index is one of the covering ones.
  const sortIndexes = Object.entries(SORT_COLUMNS)
    .filter(([sort]) => sort !== 'updatedAt')
    .map(
      ([sort, column]) =>
        `CREATE INDEX IF NOT EXISTS "${stem}_${sort.toLowerCase()}_idx" ON ${records} (scope_key, ${column}, id);`,
    );
  return `DO $migrate$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('progressrus migrate ' || ${literal(records)}));
  CREATE TABLE IF NOT EXISTS ${records} (
    scope_key text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    ${names.map((column) => `${column} ${columns[column]}`).join(',\n    ')},
    PRIMARY KEY (scope_key, id)
  );
  ${addColumns.join('\n  ')}
  CREATE INDEX IF NOT EXISTS "${stem}_expires_at_idx" ON ${records} (expires_at) WHERE expires_at IS NOT NULL;
  ${sortIndexes.join('\n  ')}
  CREATE INDEX IF NOT EXISTS "${stem}_status_idx" ON ${records} (scope_key, status, sort_updated, id);
  ${coveringIndexesSql(tables).join('\n  ')}
  CREATE INDEX IF NOT EXISTS "${stem}_unstallable_idx" ON ${records} (scope_key, status) WHERE stalled_at_ms IS NULL AND status IN ('running', 'started');
  CREATE INDEX IF NOT EXISTS "${stem}_scope_expiry_idx" ON ${records} (scope_key, expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS ${scopes} (
    key text COLLATE "C" PRIMARY KEY,
    last_activity_at timestamptz NOT NULL
  );
  ${counters.map((column) => `ALTER TABLE ${scopes} ADD COLUMN IF NOT EXISTS ${column} bigint NOT NULL DEFAULT 0;`).join('\n  ')}
  CREATE INDEX IF NOT EXISTS "${stem}_scopes_activity_idx" ON ${scopes} (last_activity_at, key);
  ${backfillSql(tables)}
END
$migrate$;`;
}

/** The sort keys that are numbers (8 bytes): every covering index carries them; a name key is up to 200 characters. */
const NUMERIC_SORT_KEYS = Object.values(SORT_COLUMNS).filter((column) => column !== 'sort_name');

/**
 * The covering indexes: beside its key each holds what the reads through it test and sort by,
 * so they read index entries only (an index-only scan: one entry after the other of one
 * range), never a row of the table, which costs a random read each. Each replaces the plain
 * index of the same key of older versions (`replaces`).
 *
 * - search (scope, name key): a name gather reads the matches (11,111 entries for a prefix
 *   that 1 % of a million records match) and sorts them;
 * - updatedAt (scope, updated, id) with the name key: a name prefix on the default sort walks
 *   it newest first and tests each name in the entry (a page costs page ÷ share of matches);
 * - stall (scope, stall time), of the records that can stall: the running (or started)
 *   records are the range past now, read with their sort keys by a status gather (but the
 *   name's: sorted by name, each gathered record's row is read), and counted by status for
 *   the counts (2,000 entries, not 2,000 rows, among 600,000 stalled ones).
 */
function coveringIndexesSql({ records, stem }: PostgresTables): string[] {
  const indexes = [
    {
      name: 'search_cover',
      replaces: 'search',
      key: '(scope_key, name_search, id)',
      include: ['status', 'stalled_at_ms', 'expires_at', ...NUMERIC_SORT_KEYS],
    },
    {
      name: 'updatedat_cover',
      replaces: 'updatedat',
      key: '(scope_key, sort_updated, id)',
      include: ['name_search', 'status', 'stalled_at_ms', 'expires_at'],
    },
    {
      name: 'stall_cover',
      replaces: 'stall',
      key: '(scope_key, stalled_at_ms)',
      include: ['id', 'status', 'expires_at', ...NUMERIC_SORT_KEYS],
      where: ' WHERE stalled_at_ms IS NOT NULL',
    },
  ];
  // An index lives in its table's schema: `"app".` or nothing (the search path's).
  const schema = records.slice(0, records.length - `"${stem}"`.length);
  return indexes.flatMap(({ name, replaces, key, include, where = '' }) => [
    `CREATE INDEX IF NOT EXISTS "${stem}_${name}_idx" ON ${records} ${key} INCLUDE (${include.join(', ')})${where};`,
    `DROP INDEX IF EXISTS ${schema}"${stem}_${replaces}_idx";`,
  ]);
}

/**
 * Rows written by a version without INDEX_COLUMNS get them, and every scope its counters
 * recounted. Names are only lower-cased by SQL here (ASCII, digits unpadded): the next write
 * of a record stores its exact keys. Does nothing when every row has a status.
 */
function backfillSql({ records, scopes }: PostgresTables): string {
  const ms = (column: string) => `extract(epoch FROM ${column}) * 1000`;
  return `IF EXISTS (SELECT 1 FROM ${records} WHERE status IS NULL AND count >= 0) THEN
    UPDATE ${records} SET
      status = CASE WHEN failed_at IS NOT NULL THEN 'failed' WHEN completed_at IS NOT NULL THEN 'completed'
        WHEN state IS NOT NULL THEN state WHEN started_at IS NOT NULL OR count > 0 THEN 'running' ELSE 'started' END,
      stalled_at_ms = CASE WHEN failed_at IS NULL AND completed_at IS NULL AND state IS NULL
        THEN ${ms('updated_at')} + ${STALLED_AFTER_INTERVALS} * interval_ms END,
      sort_updated = COALESCE(${ms('GREATEST(updated_at, started_at, completed_at, failed_at)')}, '-Infinity'),
      sort_started = COALESCE(${ms('started_at')}, '-Infinity'),
      sort_percentage = CASE WHEN total IS NULL THEN '-Infinity' WHEN total = 0 THEN 100
        ELSE count::float8 / total * 100 END,
      sort_name = lower(COALESCE(name, id)), name_search = lower(COALESCE(name, id))
    WHERE status IS NULL AND count >= 0;
    UPDATE ${scopes} s SET ${COUNTERS.map(({ column, test }) => `${column} = (SELECT count(*) FROM (SELECT status, stalled_at_ms IS NOT NULL AS stallable FROM ${records} WHERE scope_key = s.key) r WHERE ${test('r')})`).join(',\n      ')};
  END IF;`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
