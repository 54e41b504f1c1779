import type { Status } from '../../core/record.js';
import { STALLED_AFTER_INTERVALS, type Tick, type WrittenStatus } from '../../core/tick.js';
import { readRecord } from '../read-records.js';
import {
  emptyCounts,
  type JobSort,
  type NormalizedJobsQuery,
  nameCollationKey,
  nameSearchKey,
  type StatusCounts,
} from '../job-query.js';
import type { RedisContext } from './redis-context.js';
import { namePrefixes, sortScore } from './redis-index.js';
import { type ScopeKeys, WRITTEN_STATUSES } from './redis-keys.js';
import { SCRIPTS } from './redis-lua.js';

/** A scope's counters as the counts script reads them, in one O(1) call. */
export interface ScopeState {
  /** HLEN of the scope's hash: every stored value. */
  readonly stored: number;
  /** Values counted: indexed under a status, or known malformed. Differs from `stored` when another program wrote the hash. */
  readonly indexed: number;
  /** Records past their expires_at that the sweep has not removed yet. */
  readonly expired: number;
  readonly counts: StatusCounts;
  /** The write interval of the regular records of each live status (see redis-keys.ts). */
  readonly intervals: Readonly<Partial<Record<'started' | 'running', number>>>;
  /** The stalled records of each live status (their sum is `counts.stalled`). */
  readonly stalledBy: Readonly<Record<'started' | 'running', number>>;
}

export async function readState(context: RedisContext, keys: ScopeKeys, nowMs: number): Promise<ScopeState> {
  return stateOf(await context.bounded('jobs()', SCRIPTS.counts.run(context.redis, keys.block, [String(nowMs)])));
}

/** The counts script's reply (also the page script's third) as a ScopeState. */
function stateOf(raw: unknown): ScopeState {
  const reply = raw as (number | string)[];
  const [stored, bad, expired, stalledStarted, stalledRunning] = reply.map(Number) as [number, number, number, number, number];
  const counts = emptyCounts();
  const intervals: Partial<Record<'started' | 'running', number>> = {};
  let indexed = bad;
  for (let i = 5; i + 1 < reply.length; i += 2) {
    const field = String(reply[i]);
    if (field === 'i:started' || field === 'i:running') {
      const interval = Number(reply[i + 1]);
      if (Number.isFinite(interval)) intervals[field.slice(2) as 'started' | 'running'] = interval;
      continue;
    }
    const count = Number(reply[i + 1]);
    if (!(field in counts) || field === 'stalled') continue;
    counts[field as WrittenStatus] = count;
    indexed += count;
  }
  counts.started -= stalledStarted;
  counts.running -= stalledRunning;
  counts.stalled = stalledStarted + stalledRunning;
  return { stored, indexed, expired, counts, intervals, stalledBy: { started: stalledStarted, running: stalledRunning } };
}

/** A set to read, and which of its records to keep: 0 all, 1 those not stalled, 2 the stalled ones. */
interface Source {
  readonly status: WrittenStatus;
  readonly filter: 0 | 1 | 2;
}

/**
 * Which indexed statuses hold the records of the statuses asked for, skipping those whose
 * counts say they hold none of them. `running` and `started` hold the stalled records too.
 */
function sourcesOf(statuses: ReadonlySet<Status> | null, state: ScopeState): Source[] {
  const { counts } = state;
  const found: Source[] = [];
  for (const status of WRITTEN_STATUSES) {
    if (status !== 'running' && status !== 'started') {
      if ((statuses === null || statuses.has(status)) && counts[status] > 0) found.push({ status, filter: 0 });
      continue;
    }
    const live = statuses === null || statuses.has(status);
    const stalled = statuses === null || statuses.has('stalled');
    // The stalled records of this status, from the counts script's view.
    const stalledHere = state.stalledBy[status];
    if (live && stalled && counts[status] + stalledHere > 0) found.push({ status, filter: 0 });
    else if (live && !stalled && counts[status] > 0) found.push({ status, filter: 1 });
    else if (stalled && !live && stalledHere > 0) found.push({ status, filter: 2 });
  }
  return found;
}

/**
 * The ticks of one page (and one more, which tells there is a next page), in the query's
 * order, from the scope's sorted sets: one script call per `limit + 1` entries examined.
 * Entries that do not pass are skipped and the walk goes on from the last one examined:
 * a record that reads `stalled` when `running` was asked (both are indexed as running), a
 * name that only shares its collation prefix, an entry left by a rename, an expired record.
 * `state` chooses the sets to read; the page script reads the counters again in the same call,
 * and those of the first call are returned: the counts of the records the rows show (read
 * again once when a status the query needs went from none to some in between).
 */
export async function readPage(
  context: RedisContext,
  scopeKey: string,
  keys: ScopeKeys,
  query: NormalizedJobsQuery,
  state: ScopeState,
  nowMs: number,
  again = true,
): Promise<{ ticks: Tick[]; state: ScopeState }> {
  const { sort, order, statuses, name, limit } = query;
  const ticks: Tick[] = [];
  const sources = sourcesOf(statuses, state);
  if (sources.length === 0) return { ticks, state };
  const lex = sort === 'name';
  // Score sorts: the name filter's ranges in the name sets; lex: the ranges walked.
  const prefixes = name !== null ? namePrefixes(name) : [];
  // KEYS: the hash, the sets to merge, then the u, t, v and name sets their filters use.
  const setKeys = [keys.hash];
  const auxKeys: string[] = [];
  const auxIndex = (key: string) => {
    let index = auxKeys.indexOf(key);
    if (index === -1) index = auxKeys.push(key) - 1;
    return index;
  };
  const fields: (string | number)[][] = [];
  for (const source of sources) {
    const { status, filter } = source;
    const live = status === 'running' || status === 'started';
    const interval = live ? state.intervals[status] : undefined;
    const aux = [
      auxIndex(keys.sorted(status, 'updatedAt')),
      // A status that never stalls has no t set; its filter is 0, so the index is never read.
      live ? auxIndex(keys.stall(status)) : -1,
      auxIndex(keys.irregular(status)),
      auxIndex(keys.sorted(status, 'name')),
    ];
    const threshold = interval === undefined ? '' : String(nowMs - STALLED_AFTER_INTERVALS * interval);
    setKeys.push(keys.sorted(status, sort));
    fields.push([filter, threshold, ...aux, sort === 'updatedAt' ? 'u' : 'o']);
    // updatedAt: the irregular records' set too (see redis-keys.ts).
    if (sort === 'updatedAt') {
      setKeys.push(keys.irregular(status));
      fields.push([filter, threshold, ...aux, 'v']);
    }
  }
  const auxBase = setKeys.length + 1;
  setKeys.push(...auxKeys, ...keys.countKeys);
  const filters = fields.flatMap(([filter, threshold, u, t, v, n, kind]) => [
    String(filter),
    String(threshold),
    ...[u, t, v, n].map((index) => String(index === -1 ? 1 : auxBase + (index as number))),
    String(kind),
  ]);
  // A walk may test names in Lua only when lower-casing is ASCII's (see PAGE_LUA).
  const search = name !== null && !lex && !/[\u0080-\uffff]/.test(name) ? name : '';
  let cursor = initialCursor(query.after, sort);
  const readAt = new Date(nowMs);
  let counted: ScopeState | null = null;
  for (;;) {
    const want = Math.min(1000, limit + 1 - ticks.length);
    const [reply, frontier, pageCounts] = (await context.bounded('jobs()', SCRIPTS.page.run(context.redis, setKeys, [
      order,
      lex ? 'lex' : 'score',
      String(want),
      cursor === null ? '0' : '1',
      cursor?.key ?? '',
      cursor?.id ?? '',
      String(nowMs),
      String(fields.length),
      search,
      String(prefixes.length),
      ...prefixes,
      ...filters,
    ]))) as [(string | null)[], string[], unknown];
    if (counted === null) {
      counted = stateOf(pageCounts);
      // A status with records now that had none when the sets to read were chosen: choose again.
      if (again && readPlan(statuses, counted) !== readPlan(statuses, state)) {
        return readPage(context, scopeKey, keys, query, counted, nowMs, false);
      }
    }
    const next = (member: string, score: string) => {
      const id = lex ? member.slice(member.indexOf('\0') + 1) : member;
      cursor = lex ? { key: member, id } : { key: score, id };
      return id;
    };
    for (let i = 0; i + 2 < reply.length; i += 3) {
      const member = reply[i] as string;
      const raw = reply[i + 2];
      const id = next(member, reply[i + 1] as string);
      if (raw === null || raw === undefined) continue;
      const tick = readRecord(scopeKey, id, raw, readAt, context.onMalformed);
      if (tick === null) continue;
      if (statuses !== null && !statuses.has(tick.status)) continue;
      if (name !== null && !nameSearchKey(tick.name).startsWith(name)) continue;
      if (lex && `${nameCollationKey(tick.name)}\0${id}` !== member) continue;
      ticks.push(tick);
      if (ticks.length > limit) return { ticks, state: counted };
    }
    // A walk that stopped short goes on from its frontier; else fewer than asked: the end.
    if (frontier.length === 2) next(frontier[0] as string, frontier[1] as string);
    else if (reply.length < want * 3) return { ticks, state: counted };
  }
}

/** What decides the sets a page reads: its sources and their intervals. */
function readPlan(statuses: ReadonlySet<Status> | null, state: ScopeState): string {
  return JSON.stringify([sourcesOf(statuses, state), state.intervals]);
}

function initialCursor(
  after: NormalizedJobsQuery['after'],
  sort: JobSort,
): { key: string; id: string } | null {
  if (after === null) return null;
  if (sort === 'name') return { key: `${after.key as string}\0${after.id}`, id: after.id };
  return { key: sortScore(after.key as number | null), id: after.id };
}
