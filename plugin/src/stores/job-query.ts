import { expected } from '../core/errors.js';
import {
  lastActivity,
  type ProgressRecord,
  STATUSES,
  type Status,
  type StatusCounts,
} from '../core/record.js';
import { percentageOf, type Tick, type WrittenStatus } from '../core/tick.js';

// Defined in core (the read model needs it without the stores); part of this module's contract.
export type { StatusCounts };

/** The orders a scope's jobs can be listed in. Every store answers each from an index. */
export const JOB_SORTS = ['updatedAt', 'startedAt', 'name', 'percentage'] as const;
export type JobSort = (typeof JOB_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const DEFAULT_JOBS_LIMIT = 50;
export const MAX_JOBS_LIMIT = 1000;
/** Name keys (and so name prefixes) are cut at this many UTF-16 units: an index entry stays small. */
export const NAME_KEY_LENGTH = 200;
/** Digit runs are zero-padded to this width, so numbers up to 20 digits compare by value. */
const DIGIT_RUN_WIDTH = 20;

/**
 * A query for one page of a scope's jobs.
 *
 * @example
 * const page = await store.jobs(['user', 3421], { statuses: ['running'], sort: 'startedAt', limit: 20 });
 * const next = await store.jobs(['user', 3421], { statuses: ['running'], sort: 'startedAt', limit: 20, cursor: page.nextCursor });
 */
export interface JobsQuery {
  /** Only jobs that read one of these statuses now (`stalled` included). null/undefined: every status. */
  readonly statuses?: readonly Status[] | null;
  /** Only jobs whose name starts with this text, ignoring case (see `nameSearchKey`). null/'': every name. */
  readonly name?: string | null;
  /** @default 'updatedAt' */
  readonly sort?: JobSort;
  /** @default 'desc' */
  readonly order?: SortOrder;
  /** `nextCursor` of the previous page, for the same sort and order. */
  readonly cursor?: string | null;
  /** Page size, 1–1000. @default 50 */
  readonly limit?: number;
}

/** One page of jobs, the cursor of the next (null on the last page) and the whole scope's counts. */
export interface JobsPage {
  readonly items: readonly Tick[];
  readonly nextCursor: string | null;
  /** Counts of the whole scope, whatever the filters. */
  readonly counts: StatusCounts;
  /** Live jobs in the scope: the sum of `counts`. */
  readonly total: number;
}

/**
 * The sort key of a record: a number (ms since the epoch, a percentage), a string (the name's
 * collation key), or null when the record has none (never started, unknown total).
 */
export type JobSortKey = number | string | null;

/** Where the previous page ended: its last job's sort key and id. */
export interface JobCursor {
  readonly key: JobSortKey;
  readonly id: string;
}

export interface NormalizedJobsQuery {
  readonly statuses: ReadonlySet<Status> | null;
  /** The name prefix as a search key (`nameSearchKey`), or null for every name. */
  readonly name: string | null;
  readonly sort: JobSort;
  readonly order: SortOrder;
  readonly after: JobCursor | null;
  readonly limit: number;
}

/** Validates a `jobs()` query once, with the library's one message format. */
export function normalizeJobsQuery(query: JobsQuery = {}): NormalizedJobsQuery {
  if (query === null || typeof query !== 'object') throw expected('query', 'an object', query);
  const { sort = 'updatedAt', order = 'desc', limit = DEFAULT_JOBS_LIMIT } = query;
  if (!(JOB_SORTS as readonly unknown[]).includes(sort)) throw expected('sort', oneOf(JOB_SORTS), sort);
  if (!(SORT_ORDERS as readonly unknown[]).includes(order)) throw expected('order', oneOf(SORT_ORDERS), order);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_JOBS_LIMIT) {
    throw expected('limit', `an integer from 1 to ${MAX_JOBS_LIMIT}`, limit);
  }
  const cursor = query.cursor ?? null;
  return {
    statuses: normalizeStatuses(query.statuses),
    name: normalizeName(query.name),
    sort,
    order,
    after: cursor === null ? null : decodeJobCursor(cursor, sort, order),
    limit,
  };
}

function normalizeStatuses(statuses: unknown): ReadonlySet<Status> | null {
  if (statuses === null || statuses === undefined) return null;
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    !statuses.every((status) => (STATUSES as readonly unknown[]).includes(status))
  ) {
    throw expected('statuses', `a non-empty array of ${oneOf(STATUSES)}`, statuses);
  }
  return new Set(statuses as Status[]);
}

function normalizeName(name: unknown): string | null {
  if (name === null || name === undefined || name === '') return null;
  if (typeof name !== 'string' || name.length > NAME_KEY_LENGTH) {
    throw expected('name', `a string of at most ${NAME_KEY_LENGTH} characters`, name);
  }
  return nameSearchKey(name);
}

function oneOf(values: readonly string[]): string {
  return `one of ${values.map((value) => `\`${value}\``).join(', ')}`;
}

/** The fields a sort key is made of: a record and a Tick both have them. */
export type SortSource = Pick<
  ProgressRecord,
  'name' | 'count' | 'total' | 'startedAt' | 'updatedAt' | 'completedAt' | 'failedAt'
>;

/**
 * The key a record sorts by, the same in every store:
 * - `updatedAt`: the latest of its times (`lastActivity`), so records of the Ruby gem, which
 *   have no `updated_at`, sort by their start or end;
 * - `startedAt`: its start;
 * - `name`: `nameCollationKey(name)`;
 * - `percentage`: `Tick.percentage()`.
 * null when the record has no such value. Missing values sort as the LOWEST of all: first in
 * ascending order, last in descending order (a Redis score of -inf, `'-Infinity'` in SQL).
 * Ties are broken by record id, in the same direction.
 */
export function jobSortKey(record: SortSource, sort: JobSort): JobSortKey {
  switch (sort) {
    case 'updatedAt':
      return lastActivity(record)?.getTime() ?? null;
    case 'startedAt':
      return record.startedAt?.getTime() ?? null;
    case 'name':
      return nameCollationKey(record.name);
    case 'percentage':
      return percentageOf(record.count, record.total);
  }
}

/**
 * The one collation of job names: lower-case (`toLowerCase`, no locale), NUL characters
 * dropped, every run of ASCII digits zero-padded to 20 digits so that "import 9" sorts before
 * "import 10", cut to 200 UTF-16 units (never inside a surrogate pair). Keys compare in code
 * point order, which is UTF-8 byte order: what Redis's lexicographic ranges and PostgreSQL's
 * `COLLATE "C"` do. Names equal under it are ordered by id.
 *
 * @example
 * nameCollationKey('Import 9') < nameCollationKey('import 10') // true
 */
export function nameCollationKey(name: string): string {
  const key = name
    .toLowerCase()
    .replaceAll('\0', '')
    .replace(/[0-9]+/g, (run) => run.padStart(DIGIT_RUN_WIDTH, '0'));
  return cut(key);
}

/**
 * What a name prefix is matched against: the name lower-cased, NUL dropped, cut to 200 units.
 * A job matches `name: p` when `nameSearchKey(job.name).startsWith(nameSearchKey(p))`. (Digit
 * runs are not padded here: "import 1" must match "import 10".)
 */
export function nameSearchKey(name: string): string {
  return cut(name.toLowerCase().replaceAll('\0', ''));
}

function cut(key: string): string {
  if (key.length <= NAME_KEY_LENGTH) return key;
  const last = key.charCodeAt(NAME_KEY_LENGTH - 1);
  // A high surrogate left alone would not be valid UTF-8 for Redis or PostgreSQL.
  return key.slice(0, last >= 0xd800 && last <= 0xdbff ? NAME_KEY_LENGTH - 1 : NAME_KEY_LENGTH);
}

/**
 * Compares two strings in code point order (UTF-8 byte order), not JavaScript's UTF-16 order:
 * they differ when a character beyond U+FFFF meets one in U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (D800–DFFF) move above E000–FFFF, the rest keep their place.
function codePointRank(unit: number): number {
  return unit >= 0xd800 ? (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000) : unit;
}

/** Orders (key, id) pairs ascending: missing keys lowest, strings in code point order, then id. */
export function compareJobKeys(aKey: JobSortKey, aId: string, bKey: JobSortKey, bId: string): number {
  if (aKey !== bKey) {
    if (aKey === null) return -1;
    if (bKey === null) return 1;
    const byKey =
      typeof aKey === 'string' && typeof bKey === 'string'
        ? compareCodePoints(aKey, bKey)
        : (aKey as number) < (bKey as number)
          ? -1
          : (aKey as number) > (bKey as number)
            ? 1
            : 0;
    if (byKey !== 0) return byKey;
  }
  return compareCodePoints(aId, bId);
}

/** True when (key, id) comes after the cursor in the query's order. */
export function isAfterCursor(key: JobSortKey, id: string, after: JobCursor | null, order: SortOrder): boolean {
  if (after === null) return true;
  const compared = compareJobKeys(key, id, after.key, after.id);
  return order === 'asc' ? compared > 0 : compared < 0;
}

/** The cursor of the page after the one ending with `last`. Bound to the sort and order. */
export function encodeJobCursor(sort: JobSort, order: SortOrder, cursor: JobCursor): string {
  return Buffer.from(JSON.stringify([sort, order, cursor.key, cursor.id])).toString('base64url');
}

/** Reads a cursor made by `encodeJobCursor` for the same sort and order; anything else is a ProgressrusArgumentError. */
export function decodeJobCursor(cursor: unknown, sort: JobSort, order: SortOrder): JobCursor {
  if (typeof cursor === 'string') {
    try {
      const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      if (Array.isArray(value) && value.length === 4) {
        const [s, o, key, id] = value as unknown[];
        // No key this module makes holds NUL or passes the length cut, and PostgreSQL text
        // cannot hold NUL at all: such a cursor was not made by a page, whatever the store.
        const keyOk =
          sort === 'name'
            ? typeof key === 'string' && key.length <= NAME_KEY_LENGTH && !key.includes('\0')
            : key === null || (typeof key === 'number' && Number.isFinite(key));
        if (s === sort && o === order && keyOk && typeof id === 'string' && !id.includes('\0')) {
          return { key: key as JobSortKey, id };
        }
      }
    } catch {
      // Falls through to the one error below.
    }
  }
  throw expected('cursor', `a cursor returned by a previous page sorted by ${sort} ${order}`, cursor);
}

/** Counts with every status at 0, to add to. */
export function emptyCounts(): Record<Status, number> {
  const counts = {} as Record<Status, number>;
  for (const status of STATUSES) counts[status] = 0;
  return counts;
}

/** The sum of counts. */
export function countsTotal(counts: StatusCounts): number {
  let total = 0;
  for (const status of STATUSES) total += counts[status];
  return total;
}

/**
 * Builds a page from up to `limit + 1` ticks already filtered, ordered and past the cursor:
 * the extra one only says that there is a next page.
 */
export function toJobsPage(
  ticks: readonly Tick[],
  query: NormalizedJobsQuery,
  counts: StatusCounts,
): JobsPage {
  const items = ticks.slice(0, query.limit);
  const last = items.at(-1);
  const nextCursor =
    ticks.length > query.limit && last
      ? encodeJobCursor(query.sort, query.order, { key: jobSortKey(last, query.sort), id: last.id })
      : null;
  return { items, nextCursor, counts, total: countsTotal(counts) };
}

/** What a record with this written status reads at `nowMs`: `running` and `started` turn `stalled` past `stalledAtMs`. */
export function statusAt(written: WrittenStatus, stalledAtMs: number | null, nowMs: number): Status {
  return (written === 'running' || written === 'started') && stalledAtMs !== null && nowMs > stalledAtMs
    ? 'stalled'
    : written;
}

/** Counts ticks by status: a full recount, for checks and for reads that hold the ticks anyway. */
export function countByStatus(ticks: Iterable<Pick<Tick, 'status'>>): StatusCounts {
  const counts = emptyCounts();
  for (const { status } of ticks) counts[status] += 1;
  return counts;
}
