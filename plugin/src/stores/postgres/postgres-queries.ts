import type { Status } from '../../core/record.js';
import type { JobSort, SortOrder } from '../job-query.js';
import {
  COUNTERS,
  INDEX_COLUMNS,
  type IndexColumn,
  type PostgresTables,
  RECORD_COLUMN_NAMES,
  RECORD_COLUMNS,
  type RecordColumn,
  SORT_COLUMNS,
  WRITTEN_INDEX_COLUMNS,
} from './postgres-schema.js';

/**
 * Every SQL statement of a PostgresStore, built once per table name. Each is one statement
 * with `$n` parameters, so it runs on pg's Pool and on PGlite alike, and every multi-step
 * change (record + scope index) is atomic without a client checked out for a transaction.
 */
export interface PostgresQueries {
  /**
   * $1: JSON array of rows keyed by column name; $2: JSON array of `{ key, last_activity_at }`.
   * Upserts the records, moves each scope's last activity forward (never back) and its
   * counters by the statuses the records leave and enter.
   */
  readonly upsert: string;
  /** $1: scope key, $2: now. Rows for `readRows()`: live records of the scope. */
  readonly selectScope: string;
  /** $1: scope key, $2: now, $3: id. At most one row for `readRows()`. */
  readonly selectOne: string;
  /**
   * $1: scope keys (text[]), $2: now (timestamptz), $3: now in ms. Rows `{ key, status,
   * expired, expired_stallable, fresh }`: records of `status` expired and not yet swept (of
   * them, with a stall time), and live records whose stall time is still ahead.
   */
  readonly countAdjustments: string;
  /** $1: scope keys (text[]). Rows `{ key, <counter columns> }`. */
  readonly counters: string;
  /** $1: scope key. Deletes the scope's records and its index row. */
  readonly deleteScope: string;
  /** $1: scope key, $2: id. Deletes one record, and the scope's index row when it was the last. */
  readonly deleteRecord: string;
  /** $1: now, $2: batch size. Deletes expired records oldest first; one row `{ removed }`. */
  readonly sweep: string;
  /**
   * A page of a scope's jobs, served by the (scope_key, sort key, id) index of its sort:
   * $1 scope key, $2 now (timestamptz), $3 limit; then, when filtered by a status that `readsClock`, now in ms;
   * when filtered by name, the LIKE pattern and the prefix; after a cursor, its key and id.
   */
  jobsPage(filter: JobsPageFilter): string;
  /**
   * The same page, with the same parameters, for a status filter that few records pass: they
   * are read whole, through the index that holds exactly each status's records (the stall
   * index's range for running and stalled ones, the status index for the others), then sorted.
   * `jobs()` picks it when a walk of the sort index would drop most of what it reads
   * (`status=running` among many stalled records).
   */
  jobsGather(filter: JobsPageFilter, neverStalling?: NeverStalling): string;
  /**
   * A page with a name prefix and another sort, in one statement, with the same parameters
   * and then a budget: a walk of the sort index that tests each name and gives up after the
   * budget of records (of those passing the status filter); when it did not fill the page (few
   * matches, or matches that bunch elsewhere in the sort's order), the matches are read whole
   * from the search index and sorted. The updatedAt index holds the name key, status and stall
   * time, so its walk reads index entries only.
   */
  jobsNamed(filter: JobsPageFilter): string;
  /** A page of scopes; see `scopesPage()`. */
  scopesPage(filter: { readonly prefix: boolean; readonly cursor: boolean }): string;
}

/**
 * The live statuses whose records that never stall (no stall time) a status gather reads: the
 * store leaves out a status its counters say has none. The planner cannot tell how few such
 * records there are (it multiplies the shares of `status = 'running'` and of a missing stall
 * time, ~200,000 of a million), and a plan that costly is compiled first (JIT, ~30 ms).
 */
export type NeverStalling = ReadonlySet<'running' | 'started'>;

const EVERY_LIVE_STATUS: NeverStalling = new Set(['running', 'started']);

export interface JobsPageFilter {
  readonly statuses: ReadonlySet<Status> | null;
  readonly name: boolean;
  readonly sort: JobSort;
  readonly order: SortOrder;
  readonly cursor: boolean;
}

export function postgresQueries(tables: PostgresTables): PostgresQueries {
  const { records, scopes } = tables;
  const written = [...RECORD_COLUMN_NAMES, ...WRITTEN_INDEX_COLUMNS];
  const columns = written.join(', ');
  const recordset = written.map((column) => `${column} ${columnType(column)}`).join(', ');
  const updates = written.map((column) => `${column} = EXCLUDED.${column}`).join(', ');
  // Times as ms since the epoch and numbers as float8 read the same through every driver and
  // session (TimeZone, DateStyle, int8 parsing); the scope comes back from scope_key.
  const selected = `id, ${RECORD_COLUMN_NAMES.filter((column) => column !== 'scope')
    .map(selectAs)
    .join(', ')}`;
  const live = '(expires_at IS NULL OR expires_at > $2::timestamptz)';
  // The records of a page's ids, read whole, in the page's order (`column`: the sort key's).
  // One scan of the primary key for the array of ids: ~0.3 ms less than a join's probe per id.
  const pageRows = (page: string, column: string, direction: string) => `SELECT ${selected} FROM ${records}
WHERE scope_key = $1 AND id = ANY(ARRAY(SELECT id FROM ${page})) ORDER BY ${column} ${direction}, id ${direction}`;
  const counters = COUNTERS.map((counter) => counter.column);
  // How many of `rows` (with `status` and `stallable`) each counter counts: a column each.
  const tally = (rows: string, sign: string) =>
    COUNTERS.map(({ column, test }) => `${sign}count(*) FILTER (WHERE ${test(rows)}) AS ${column}`).join(', ');

  return {
    upsert: `WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(scope_key text, id text, ${recordset})
), written AS (
  INSERT INTO ${records} AS t (scope_key, id, ${columns})
  SELECT scope_key, id, ${columns} FROM input
  ON CONFLICT (scope_key, id) DO UPDATE SET ${updates},
    prev_status = t.status, prev_stallable = t.stalled_at_ms IS NOT NULL
  RETURNING t.scope_key, t.status, t.stalled_at_ms IS NOT NULL AS stallable, t.prev_status, t.prev_stallable
), moves AS (
  SELECT scope_key, status, stallable FROM written WHERE status IS NOT NULL
), leaves AS (
  SELECT scope_key, prev_status AS status, prev_stallable AS stallable FROM written WHERE prev_status IS NOT NULL
), deltas AS (
  SELECT k AS key, ${counters.map((column) => `COALESCE(sum(${column}), 0) AS ${column}`).join(', ')}
  FROM (
    SELECT scope_key AS k, ${tally('moves', '')} FROM moves GROUP BY scope_key
    UNION ALL SELECT scope_key, ${tally('leaves', '-')} FROM leaves GROUP BY scope_key
  ) d GROUP BY k
)
INSERT INTO ${scopes} AS s (key, last_activity_at, ${counters.join(', ')})
SELECT a.key, a.last_activity_at, ${counters.map((column) => `COALESCE(d.${column}, 0)`).join(', ')}
FROM jsonb_to_recordset($2::jsonb) AS a(key text, last_activity_at timestamptz)
LEFT JOIN deltas d ON d.key = a.key COLLATE "C"
ON CONFLICT (key) DO UPDATE SET last_activity_at = GREATEST(s.last_activity_at, EXCLUDED.last_activity_at),
  ${counters.map((column) => `${column} = s.${column} + EXCLUDED.${column}`).join(', ')}`,

    selectScope: `SELECT ${selected} FROM ${records} WHERE scope_key = $1 AND ${live}`,

    selectOne: `SELECT ${selected} FROM ${records} WHERE scope_key = $1 AND id = $3 AND ${live}`,

    // Both parts read only the few records they count: those past expiry and not yet swept,
    // and those whose stall time is still ahead (jobs writing now), by their partial indexes.
    countAdjustments: `SELECT scope_key AS key, status, count(*)::float8 AS expired,
  count(*) FILTER (WHERE stalled_at_ms IS NOT NULL)::float8 AS expired_stallable, 0::float8 AS fresh
FROM ${records} WHERE scope_key = ANY($1::text[]) AND expires_at <= $2::timestamptz AND status IS NOT NULL
GROUP BY scope_key, status
UNION ALL
SELECT scope_key, status, 0, 0, count(*)::float8
FROM ${records} WHERE scope_key = ANY($1::text[]) AND stalled_at_ms >= $3::float8 AND ${live}
GROUP BY scope_key, status`,

    counters: `SELECT key, ${counters.map((column) => `${column}::float8 AS ${column}`).join(', ')}
FROM ${scopes} WHERE key = ANY($1::text[])`,

    deleteScope: `WITH gone AS (DELETE FROM ${records} WHERE scope_key = $1)
DELETE FROM ${scopes} WHERE key = $1`,

    // Every part of one statement sees the same snapshot, so "was it the last record" asks
    // for another record rather than for none left; the two changes of the scope row have
    // opposite conditions, so one statement never touches it twice.
    deleteRecord: `WITH gone AS (
  DELETE FROM ${records} WHERE scope_key = $1 AND id = $2
  RETURNING status, stalled_at_ms IS NOT NULL AS stallable
), others AS (
  SELECT EXISTS (SELECT 1 FROM ${records} WHERE scope_key = $1 AND id <> $2) AS more
), kept AS (
  UPDATE ${scopes} s SET ${counters.map((column) => `${column} = s.${column} + g.${column}`).join(', ')}
  FROM (SELECT ${tally('gone', '-')} FROM gone) g
  WHERE s.key = $1 AND (SELECT more FROM others)
)
DELETE FROM ${scopes} WHERE key = $1 AND NOT (SELECT more FROM others)`,

    sweep: `WITH due AS (
  SELECT scope_key, id FROM ${records} WHERE expires_at <= $1::timestamptz
  ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
), gone AS (
  DELETE FROM ${records} r USING due WHERE r.scope_key = due.scope_key AND r.id = due.id
  RETURNING r.scope_key, r.id, r.status, r.stalled_at_ms IS NOT NULL AS stallable
), empty AS (
  SELECT DISTINCT g.scope_key AS key FROM gone g WHERE NOT EXISTS (
    SELECT 1 FROM ${records} r WHERE r.scope_key = g.scope_key
      AND NOT EXISTS (SELECT 1 FROM gone x WHERE x.scope_key = r.scope_key AND x.id = r.id)
  )
), emptied AS (
  DELETE FROM ${scopes} s WHERE s.key IN (SELECT key FROM empty)
), kept AS (
  UPDATE ${scopes} s SET ${counters.map((column) => `${column} = s.${column} + g.${column}`).join(', ')}
  FROM (SELECT scope_key, ${tally('gone', '-')} FROM gone GROUP BY scope_key) g
  WHERE s.key = g.scope_key AND s.key NOT IN (SELECT key FROM empty)
)
SELECT count(*)::int AS removed FROM gone`,

    jobsPage: ({ statuses, name, sort, order, cursor }) => {
      const column = SORT_COLUMNS[sort];
      const where = ['scope_key = $1', live];
      let next = 4;
      if (statuses !== null)
        where.push(statusPredicate(statuses, readsClock(statuses) ? `$${next++}::float8` : ''));
      // LIKE is the exact test; the lower bound lets the planner range-scan the search index.
      if (name) where.push(`name_search LIKE $${next++} AND name_search >= $${next++}`);
      if (cursor) where.push(cursorTest(column, sort, order, next));
      const direction = order === 'asc' ? 'ASC' : 'DESC';
      return `SELECT ${selected} FROM ${records} WHERE ${where.join(' AND ')}
ORDER BY ${column} ${direction}, id ${direction} LIMIT $3`;
    },

    jobsGather: ({ statuses, name, sort, order, cursor }, neverStalling = EVERY_LIVE_STATUS) => {
      const column = SORT_COLUMNS[sort];
      let next = 4;
      const nowMs = statuses !== null && readsClock(statuses) ? `$${next++}::float8` : '';
      const nameTest = name ? ` AND name_search LIKE $${next++} AND name_search >= $${next++}` : '';
      const tests = statuses === null ? ['TRUE'] : gatherBranches(statuses, nowMs, neverStalling);
      const branches = tests.map(
        (test) => `SELECT id, ${column} AS sort_key FROM ${records}
  WHERE scope_key = $1 AND ${live} AND ${test}${nameTest}`,
      );
      const direction = order === 'asc' ? 'ASC' : 'DESC';
      const after = cursor ? ` WHERE ${cursorTest('sort_key', sort, order, next)}` : '';
      // Several branches: MATERIALIZED, planned apart, so each reads its own index, never a
      // walk of a sort index. One is planned as well without (the planner sees how few pass)
      // and is not copied first (~0.2 µs a row: 2,000 running records). Only the page's rows
      // are then read whole.
      const materialized = branches.length > 1 ? ' MATERIALIZED' : '';
      return `WITH c AS${materialized} (${branches.join('\nUNION ALL ')}),
page AS (SELECT id, sort_key FROM c${after} ORDER BY sort_key ${direction}, id ${direction} LIMIT $3)
${pageRows('page', column, direction)}`;
    },

    jobsNamed: ({ statuses, sort, order, cursor }) => {
      const column = SORT_COLUMNS[sort];
      const where = ['scope_key = $1', live];
      let next = 4;
      if (statuses !== null) where.push(statusPredicate(statuses, readsClock(statuses) ? `$${next++}::float8` : ''));
      const nameTest = `name_search LIKE $${next++} AND name_search >= $${next++}`;
      if (cursor) {
        where.push(cursorTest(column, sort, order, next));
        next += 2;
      }
      const budget = `$${next++}`;
      const direction = order === 'asc' ? 'ASC' : 'DESC';
      const sorted = `ORDER BY sort_key ${direction}, id ${direction}`;
      // The walk gave the page when it found a whole one (limit + 1 rows); else the gather:
      // the tests on a count of `hits` are evaluated once, before either branch reads an
      // entry. MATERIALIZED: the gather is planned apart, so it reads the search index, never
      // a walk of the sort index.
      return `WITH hits AS MATERIALIZED (SELECT id, sort_key FROM (
    SELECT id, ${column} AS sort_key, name_search FROM ${records} WHERE ${where.join(' AND ')} ${sorted} LIMIT ${budget}
  ) w WHERE ${nameTest} ${sorted} LIMIT $3),
matches AS MATERIALIZED (SELECT id, ${column} AS sort_key FROM ${records}
  WHERE ${where.join(' AND ')} AND ${nameTest} AND (SELECT count(*) FROM hits) < $3),
page AS (SELECT id, sort_key FROM hits WHERE (SELECT count(*) FROM hits) = $3
  UNION ALL (SELECT id, sort_key FROM matches ${sorted} LIMIT $3))
${pageRows('page', column, direction)}`;
    },

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

/** `(key, id)` past the cursor (parameters `$next` and `$next + 1`) in the page's direction. */
function cursorTest(key: string, sort: JobSort, order: SortOrder, next: number): string {
  const type = sort === 'name' ? 'text' : 'float8';
  return `(${key}, id) ${order === 'asc' ? '>' : '<'} ($${next}::${type}, $${next + 1})`;
}

const CLOCK_STATUSES: readonly Status[] = ['running', 'started', 'stalled'];

/** Whether a status filter needs the time: only unfinished jobs turn stalled. */
export function readsClock(statuses: ReadonlySet<Status>): boolean {
  return CLOCK_STATUSES.some((status) => statuses.has(status));
}

/** The SQL test for "reads one of `statuses` at `nowMs`": `stalled` is derived from the stall time. */
function statusPredicate(statuses: ReadonlySet<Status>, nowMs: string): string {
  const plain: string[] = [];
  const tests: string[] = [];
  for (const status of statuses) {
    if (status === 'stalled')
      tests.push(`(status IN ('running', 'started') AND stalled_at_ms < ${nowMs})`);
    else if (status === 'running' || status === 'started')
      tests.push(`(status = '${status}' AND (stalled_at_ms IS NULL OR stalled_at_ms >= ${nowMs}))`);
    // Statuses are checked against STATUSES before they get here: literals are safe.
    else plain.push(`'${status}'`);
  }
  if (plain.length > 0) tests.push(`status IN (${plain.join(', ')})`);
  return `(${tests.join(' OR ')})`;
}

/**
 * The tests of the records of `statuses`, one per index range: a running (or started) record
 * that can stall is in the stall index past now, one that cannot is in the unstallable index,
 * a stalled one is in the stall index before now, the others are in the status index.
 */
function gatherBranches(statuses: ReadonlySet<Status>, nowMs: string, neverStalling: NeverStalling): string[] {
  const branches: string[] = [];
  for (const status of statuses) {
    if (status === 'stalled') branches.push(`status IN ('running', 'started') AND stalled_at_ms < ${nowMs}`);
    else if (status === 'running' || status === 'started') {
      branches.push(`status = '${status}' AND stalled_at_ms >= ${nowMs}`);
      if (neverStalling.has(status)) branches.push(`status = '${status}' AND stalled_at_ms IS NULL`);
    } else branches.push(`status = '${status}'`);
  }
  return branches;
}

/** `user:%` for the prefix `user:`, with LIKE's wildcards in the prefix matched literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

function columnType(column: RecordColumn | IndexColumn): string {
  const type: string =
    column in RECORD_COLUMNS ? RECORD_COLUMNS[column as RecordColumn] : INDEX_COLUMNS[column as IndexColumn];
  return type.replace(/ (COLLATE|NOT NULL).*$/, '');
}

function selectAs(column: RecordColumn): string {
  const type = columnType(column);
  if (type === 'timestamptz') return `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`;
  if (type === 'jsonb') return `${column}::text AS ${column}`;
  if (type === 'text') return column;
  return `${column}::float8 AS ${column}`;
}
