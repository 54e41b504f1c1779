import { RedisStore } from 'progressrus';
import type { BenchContext } from './lib/context.js';
import { timeAdminScopePage } from './lib/admin-first-byte.js';
import { BIG_SCOPE, SMALL_SCOPE, timePages } from './lib/page-timings.js';
import { PREFIXES, SCOPE_COUNT, SCOPE_RECORDS, timeReads } from './lib/read-timings.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, timeRuns } from './lib/stats.js';

export const SCOPE_BAR_MS = 50;
export const PAGE_BAR_MS = 20;
export const HTTP_BAR_MS = 30;

/**
 * Bar 5 for RedisStore: `scope()` of 10,000 records, a page of scopes among 100,000, bytes per
 * record; and the page reads of issue 12 (`GET /jobs` on a 1,000,000-job scope against a
 * 1,000-job one, `GET /scopes` with counts, the SSE snapshot).
 */
export const readsBenchmark: Benchmark = {
  name: 'reads',
  description:
    'RedisStore: scope() of 10,000 records, pages of scopes among 100,000, memory; GET /jobs, GET /scopes and the SSE snapshot of a 1,000,000-job scope',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const redis = await context.redis();
    const prefix = context.unique('reads');
    const store = new RedisStore({ connection: redis, prefix });
    const timings = await timeReads(context, 'RedisStore', store);
    const pageRows = await timePages(context, 'RedisStore', 'redis', store, { connection: redis, prefix });
    const adminRows = await timeAdminScopePage({
      label: 'RedisStore',
      key: 'redis',
      env: { REDIS_URL: await context.redisUrl(), PROGRESSRUS_PREFIX: prefix },
      scopes: [
        { key: 'pages:small', jobs: SMALL_SCOPE },
        { key: 'pages:big', jobs: BIG_SCOPE },
      ],
      log: (message) => context.log(message),
    });
    // The floor under scope(): fetching the hash and JSON.parse of every value, which any
    // reader of this layout pays, before decoding and validating a field.
    const key = store.keys.scope('account:big');
    const fetchMs = median(await timeRuns(20, 3, () => redis.hgetall(key)));
    const parseMs = median(
      await timeRuns(20, 3, async () => {
        for (const raw of Object.values(await redis.hgetall(key))) JSON.parse(raw);
      }),
    );
    const hashBytes = Number(
      await redis.memory('USAGE', store.keys.scope('account:big'), 'SAMPLES', 0),
    );
    // Every index key of the scope (sorted sets, counters, expiry and stall entries of
    // irregular records), and its share of the global indexes (one entry per scope each).
    let indexBytes = 0;
    for (const key of store.keys.of('account:big').block.slice(1)) {
      indexBytes += Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
    }
    const globalBytes = await Promise.all(
      [store.keys.scopes, store.keys.names, store.keys.expiries].map(async (key) => ({
        bytes: Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0),
        entries: await redis.zcard(key),
      })),
    );
    const globalPerScope = globalBytes.reduce(
      (sum, { bytes, entries }) => sum + (entries > 0 ? bytes / entries : 0),
      0,
    );
    const recordBytes = hashBytes / SCOPE_RECORDS;
    const perRecordIndexBytes = (indexBytes + globalPerScope) / SCOPE_RECORDS;
    const before = 571 + 133;
    const scopeRow = readRows('RedisStore', 'redis', timings);
    return [
      ...scopeRow.map((row) =>
        row.id === 'reads.redis.scope'
          ? {
              ...row,
              measured: `${row.measured}; floor: HGETALL alone ${fmt(fetchMs, 1)} ms, HGETALL + JSON.parse ${fmt(parseMs, 1)} ms`,
              details: { ...row.details, hgetallMs: fetchMs, hgetallAndParseMs: parseMs },
            }
          : row,
      ),
      {
        id: 'reads.redis.bytesPerRecord',
        what: 'RedisStore: bytes per record (MEMORY USAGE)',
        measured: `${fmt(recordBytes)} B in the scope hash + ${fmt(perRecordIndexBytes)} B in its indexes and counters = ${fmt(recordBytes + perRecordIndexBytes)} B (${fmt((recordBytes + perRecordIndexBytes) / before, 2)}× the 571 + 133 B before the per-scope indexes)`,
        value: recordBytes + perRecordIndexBytes,
        bar: `≤ 1.5 × ${before} B`,
        pass: recordBytes + perRecordIndexBytes <= 1.5 * before,
        details: { hashBytes, records: SCOPE_RECORDS, indexBytes, globalPerScope },
      },
      ...pageRows,
      ...adminRows,
    ];
  },
};

/** The two rows every store reports, with the same bars. */
export function readRows(
  label: string,
  key: string,
  timings: Awaited<ReturnType<typeof timeReads>>,
): BenchRow[] {
  const pages = timings.pages
    .map((page) => `\`${page.prefix}\` ${fmt(page.medianMs, 1)}`)
    .join(', ');
  return [
    {
      id: `reads.${key}.scope`,
      what: `${label}: \`scope()\` of a ${fmt(SCOPE_RECORDS)}-record scope (median of 20)`,
      measured: `${fmt(timings.scope.medianMs, 1)} ms (p95 ${fmt(timings.scope.p95Ms, 1)} ms)`,
      value: timings.scope.medianMs,
      bar: `≤ ${SCOPE_BAR_MS} ms`,
      pass: atMost(timings.scope.medianMs, SCOPE_BAR_MS),
      details: { ...timings.scope },
    },
    {
      id: `reads.${key}.httpFirstPage`,
      what: `${label}: HTTP handler, first page of a ${fmt(SCOPE_RECORDS)}-job scope (\`GET /jobs\`, in process, median of 20)`,
      measured: `${fmt(timings.httpFirstPage.medianMs, 1)} ms (p95 ${fmt(timings.httpFirstPage.p95Ms, 1)} ms; ${timings.httpFirstPage.items} jobs, ${fmt(timings.httpFirstPage.bytes)} B)`,
      value: timings.httpFirstPage.medianMs,
      bar: `≤ ${HTTP_BAR_MS} ms`,
      pass: atMost(timings.httpFirstPage.medianMs, HTTP_BAR_MS),
      details: { ...timings.httpFirstPage },
    },
    {
      id: `reads.${key}.scopesPage`,
      what: `${label}: a page of 50 scopes with a prefix filter among ${fmt(SCOPE_COUNT)} (slowest of ${PREFIXES.length} filters, median of 20)`,
      measured: `${fmt(timings.worstPageMs, 1)} ms (ms per filter: ${pages})`,
      value: timings.worstPageMs,
      bar: `≤ ${PAGE_BAR_MS} ms`,
      pass: atMost(timings.worstPageMs, PAGE_BAR_MS),
      details: { pages: timings.pages },
    },
  ];
}
