import type { ProgressRecord, Store } from 'progressrus';
import { createProgressHandler, type ProgressHandlerOptions } from 'progressrus/http';
import { seededRandom } from 'progressrus/testing';
import type { BenchContext } from './context.js';
import { atMost, type BenchRow } from './result.js';
import { fmt, median, nowNs, quantile, timeRuns } from './stats.js';

/** The large scope; `BENCH_BIG_SCOPE` lowers it on a machine too slow to seed a million. */
export const BIG_SCOPE = Number(process.env.BENCH_BIG_SCOPE ?? 1_000_000);
export const SMALL_SCOPE = 1_000;
/** `GET /scopes?limit=50` lists this many scopes of `LISTED_SCOPE_RECORDS` records each. */
export const LISTED_SCOPES = 50;
export const LISTED_SCOPE_RECORDS = Number(process.env.BENCH_LISTED_SCOPE ?? 10_000);
export const PAGE_BAR_MS = 20;
export const PAGE_RATIO_BAR = 2;
export const SCOPES_BAR_MS = 20;
export const SNAPSHOT_BAR_MS = 50;
const RUNS = 20;
const WARMUP = 3;
// Records go to the store in bursts of this many: each burst is one batch of the store.
const BURST = 5_000;
const HOUR_MS = 3_600_000;

/**
 * A mix of jobs in a scope. Each seeded job draws its fate from `percent` (by index, so the
 * 1,000-job and the 1,000,000-job scopes hold the same mix); the first `runningNow` are running.
 */
export interface PageShape {
  readonly key: string;
  /** What the rows call it. */
  readonly label: string;
  /** Shares in percent, summing to 100: completed, failed, stalled, queued. */
  readonly percent: { readonly completed: number; readonly failed: number; readonly stalled: number; readonly queued: number };
  /** Jobs running right now in a scope of `records` jobs (written each hour, so they stay running while the bench reads). */
  runningNow(records: number): number;
  /** Job names: this text, then the job's index. */
  readonly namePrefix: string;
  /** The name searched: the prefix and "12" (11 of 1,000 jobs, 11,111 of 1,000,000). */
  readonly nameQuery: string;
}

/**
 * The shapes the page reads are measured on. `default`: a long-lived scope (90 % completed,
 * 5 % failed, 3 % stalled, 2 % queued, 50 running: a worker pool's concurrency). `crashed`: a
 * deploy that crashed its workers in a backlog (60 % stalled, 30 % queued, 5 % completed,
 * 5 % failed, 0.2 % running: 2,000 of a million), whose names share a long prefix.
 */
export const PAGE_SHAPES: readonly PageShape[] = [
  {
    key: 'default',
    label: '',
    percent: { completed: 90, failed: 5, stalled: 3, queued: 2 },
    runningNow: () => 50,
    namePrefix: 'Import batch ',
    nameQuery: 'import batch 12',
  },
  {
    key: 'crashed',
    label: ' (60 % stalled, 30 % queued, 0.2 % running, long shared name prefix)',
    percent: { completed: 5, failed: 5, stalled: 60, queued: 30 },
    // 0.2 %: 2 of 1,000, 2,000 of 1,000,000.
    runningNow: (records) => Math.ceil(records / 500),
    namePrefix: 'Nightly reconciliation export for tenant acme-corporation, import batch ',
    nameQuery: 'nightly reconciliation export for tenant acme-corporation, import batch 12',
  },
];

/** The reads of one `GET /jobs` row: the same query on the small and the large scope. */
export function pageQueries(shape: PageShape): { label: string; query: string; secondPage?: true }[] {
  return [
    { label: 'newest first', query: '' },
    { label: '`status=running`', query: '&status=running' },
    { label: '`status=stalled`', query: '&status=stalled' },
    { label: '`status=failed`', query: '&status=failed' },
    { label: '`sort=startedAt`', query: '&sort=startedAt' },
    { label: '`sort=name&order=asc`', query: '&sort=name&order=asc' },
    { label: '`sort=percentage`', query: '&sort=percentage' },
    { label: '`status=running&sort=percentage`', query: '&status=running&sort=percentage' },
    { label: `\`name=${shape.nameQuery}\``, query: `&name=${encodeURIComponent(shape.nameQuery)}` },
    { label: 'second page (cursor)', query: '', secondPage: true },
  ];
}

/**
 * A job of a scope of the given shape: completed, failed, stalled (crashed mid-way, never
 * written again), queued, or (the first `runningNow`) running. Times spread over the last 12
 * hours, within every retention.
 */
function pageRecord(
  shape: PageShape,
  scope: readonly string[],
  index: number,
  records: number,
  random: () => number,
): ProgressRecord {
  const nowMs = Date.now();
  const updatedMs = nowMs - Math.floor(random() * 12 * HOUR_MS);
  const { completed: c, failed: f, stalled: s } = shape.percent;
  const fate = index % 100;
  const running = index < shape.runningNow(records);
  const completed = !running && fate < c ? new Date(updatedMs) : null;
  const failed = !running && fate >= c && fate < c + f ? new Date(updatedMs) : null;
  const queued = !running && fate >= c + f + s;
  return {
    id: `imports:${index}`,
    name: `${shape.namePrefix}${index}`,
    scope,
    startedAt: queued ? null : new Date(updatedMs - Math.floor(random() * 600_000)),
    completedAt: completed,
    failedAt: failed,
    expiresAt: new Date(nowMs + 24 * HOUR_MS),
    count: completed ? 1_000 : queued ? 0 : Math.floor(random() * 1_000),
    total: index % 20 === 0 ? null : 1_000,
    params: { file: `uploads/${index}.csv` },
    errorCount: failed ? 1 : 0,
    updatedAt: running ? new Date(nowMs) : new Date(updatedMs),
    ratePerSecond: completed || failed ? null : 10,
    // A running job written each hour stays `running`; the rest stall after 6 s.
    intervalMs: running ? HOUR_MS : 2_000,
    state: queued ? 'queued' : null,
    errorMessage: failed ? 'Row 17: unknown column "amount"' : null,
    queue: 'imports',
    jobId: String(index),
    attempt: 1,
    actions: [],
    history: [],
  };
}

/** Writes `records` jobs into a scope through the store's own write path, in large batches. */
export async function seedPageScope(
  context: BenchContext,
  store: Store,
  scope: readonly string[],
  records: number,
  shape: PageShape = PAGE_SHAPES[0] as PageShape,
): Promise<number> {
  const random = seededRandom(records);
  const start = nowNs();
  for (let first = 0; first < records; first += BURST) {
    const writes: Promise<void>[] = [];
    for (let index = first; index < Math.min(records, first + BURST); index++)
      writes.push(store.persist(pageRecord(shape, scope, index, records, random)));
    await Promise.all(writes);
    if (first % 100_000 === 0 && first > 0) context.log(`  ${fmt(first)} of ${fmt(records)}`);
  }
  return (nowNs() - start) / 1e6;
}

interface Timed {
  readonly medianMs: number;
  readonly p95Ms: number;
}

function timed(times: readonly number[]): Timed {
  return { medianMs: median(times), p95Ms: quantile(times, 0.95) };
}

/** The shapes of this run: `BENCH_PAGE_SHAPES=default,crashed` (the default: all of them). */
function runShapes(): readonly PageShape[] {
  const keys = process.env.BENCH_PAGE_SHAPES?.split(',');
  return keys === undefined ? PAGE_SHAPES : PAGE_SHAPES.filter((shape) => keys.includes(shape.key));
}

/** The small and the large scope of a shape: `pages:small` and `pages:big` for the default one (the admin bench reads them). */
function shapeScopes(shape: PageShape): [small: string[], big: string[]] {
  return shape.key === 'default'
    ? [
        ['pages', 'small'],
        ['pages', 'big'],
      ]
    : [
        ['pages', `${shape.key}-small`],
        ['pages', `${shape.key}-big`],
      ];
}

/** Seeds the small and the large scope of each shape of the run. */
export async function seedPageShapes(context: BenchContext, label: string, store: Store): Promise<void> {
  for (const shape of runShapes()) {
    const [small, big] = shapeScopes(shape);
    context.log(`${label}: seeding ${fmt(SMALL_SCOPE)} + ${fmt(BIG_SCOPE)} records, shape ${shape.key}`);
    await seedPageScope(context, store, small, SMALL_SCOPE, shape);
    const seedMs = await seedPageScope(context, store, big, BIG_SCOPE, shape);
    context.log(`${label}: ${fmt(BIG_SCOPE)} records in ${fmt(seedMs / 1000, 1)} s`);
  }
}

/** Times `GET /jobs` for each query of `pageQueries` on the small and the large scope of each shape of the run. */
export async function timeJobsPages(label: string, key: string, handler: Handler): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const shape of runShapes()) {
    const [small, big] = shapeScopes(shape);
    for (const [index, { label: what, query, secondPage = false }] of pageQueries(shape).entries()) {
      const [smallTime, bigTime] = [
        await timeJobsPage(handler, small, query, secondPage),
        await timeJobsPage(handler, big, query, secondPage),
      ];
      const ratio = bigTime.medianMs / smallTime.medianMs;
      rows.push({
        id: `pages.${key}.${shape.key === 'default' ? '' : `${shape.key}.`}jobs.${index}`,
        what: `${label}: \`GET /jobs\` first page (50), ${what}${shape.label}: ${fmt(BIG_SCOPE)}-job scope vs ${fmt(SMALL_SCOPE)} (in process, median of ${RUNS})`,
        measured: `${fmt(bigTime.medianMs, 1)} ms vs ${fmt(smallTime.medianMs, 1)} ms = ${fmt(ratio, 2)}× (p95 ${fmt(bigTime.p95Ms, 1)} ms; pages of ${bigTime.items} vs ${smallTime.items} jobs)`,
        value: bigTime.medianMs,
        bar: `≤ ${PAGE_BAR_MS} ms and ≤ ${PAGE_RATIO_BAR}×`,
        pass: atMost(bigTime.medianMs, PAGE_BAR_MS) && atMost(ratio, PAGE_RATIO_BAR),
        details: { big: bigTime, small: smallTime, ratio, bigScope: BIG_SCOPE, shape: shape.key },
      });
    }
  }
  return rows;
}

/**
 * Seeds a small and a large scope of each shape and 50 scopes of 10,000 records, then times,
 * in process: `GET /jobs` for each query of `pageQueries` on both scopes of each shape,
 * `GET /scopes?limit=50` over the 50 scopes, and the arrival of the `snapshot` event of
 * `GET /events` on both scopes of the default shape.
 */
export async function timePages(
  context: BenchContext,
  label: string,
  key: string,
  store: Store,
  changes: ProgressHandlerOptions['changes'],
  /** Runs once everything is written: PostgreSQL's ANALYZE, as after any bulk load. */
  afterSeed: () => Promise<unknown> = async () => {},
): Promise<BenchRow[]> {
  await seedPageShapes(context, label, store);
  context.log(`${label}: seeding ${LISTED_SCOPES} scopes of ${fmt(LISTED_SCOPE_RECORDS)} records`);
  for (let index = 0; index < LISTED_SCOPES; index++)
    await seedPageScope(context, store, ['listed', String(index)], LISTED_SCOPE_RECORDS);
  await afterSeed();

  const handler = createProgressHandler({ store, changes, authorize: () => true });
  const [small, big] = shapeScopes(PAGE_SHAPES[0] as PageShape);
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await timeJobsPages(label, key, handler)));

    let listed = 0;
    const scopesTimes = await timeRuns(RUNS, WARMUP, async () => {
      const response = await handler(new Request('http://bench.local/scopes?prefix=listed:&limit=50'));
      const body = (await response.json()) as { items: { total: number }[] };
      listed = body.items.reduce((sum, item) => sum + item.total, 0);
    });
    const scopes = timed(scopesTimes);
    rows.push({
      id: `pages.${key}.scopes`,
      what: `${label}: \`GET /scopes?limit=50\` with counts, ${LISTED_SCOPES} scopes of ${fmt(LISTED_SCOPE_RECORDS)} jobs (median of ${RUNS})`,
      measured: `${fmt(scopes.medianMs, 1)} ms (p95 ${fmt(scopes.p95Ms, 1)} ms; ${fmt(listed)} jobs counted)`,
      value: scopes.medianMs,
      bar: `≤ ${SCOPES_BAR_MS} ms`,
      pass: atMost(scopes.medianMs, SCOPES_BAR_MS),
      details: { ...scopes, listed },
    });

    if (changes !== undefined && changes !== null) {
      const [smallSnapshot, bigSnapshot] = [
        await timeSnapshot(handler, small),
        await timeSnapshot(handler, big),
      ];
      rows.push({
        id: `pages.${key}.snapshot`,
        what: `${label}: SSE \`snapshot\` event after connect, ${fmt(BIG_SCOPE)}-job scope vs ${fmt(SMALL_SCOPE)} (median of ${RUNS})`,
        measured: `${fmt(bigSnapshot.medianMs, 1)} ms vs ${fmt(smallSnapshot.medianMs, 1)} ms (p95 ${fmt(bigSnapshot.p95Ms, 1)} ms; ${fmt(bigSnapshot.bytes)} B)`,
        value: bigSnapshot.medianMs,
        bar: `≤ ${SNAPSHOT_BAR_MS} ms`,
        pass: atMost(bigSnapshot.medianMs, SNAPSHOT_BAR_MS),
        details: { big: bigSnapshot, small: smallSnapshot },
      });
    }
  } finally {
    await handler.close();
  }
  return rows;
}

export type Handler = ReturnType<typeof createProgressHandler>;

/** Times `GET /jobs` until the whole body is read; `secondPage` follows the first page's cursor. */
async function timeJobsPage(
  handler: Handler,
  scope: readonly string[],
  query: string,
  secondPage: boolean,
): Promise<Timed & { items: number }> {
  const get = async (url: string) => {
    const response = await handler(new Request(url));
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
    return JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
  };
  let url = `http://bench.local/jobs?scope=${scope.join(':')}${query}`;
  if (secondPage) {
    const { nextCursor } = await get(url);
    if (nextCursor === null) throw new Error(`${url}: no second page`);
    url += `&cursor=${nextCursor}`;
  }
  let items = 0;
  const times = await timeRuns(RUNS, WARMUP, async () => {
    items = (await get(url)).items.length;
  });
  return { ...timed(times), items };
}

/** Times from the request to the end of the `snapshot` event of a scope's stream. */
async function timeSnapshot(handler: Handler, scope: readonly string[]): Promise<Timed & { bytes: number }> {
  let bytes = 0;
  const times: number[] = [];
  for (let run = 0; run < RUNS + WARMUP; run++) {
    const controller = new AbortController();
    const start = nowNs();
    const response = await handler(
      new Request(`http://bench.local/events?scope=${scope.join(':')}`, { signal: controller.signal }),
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The snapshot event ends with its blank line; heartbeats and `retry:` come before it.
    while (!/event: snapshot\n(?:[^\n]+\n)*\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('The stream ended before its snapshot');
      text += decoder.decode(value, { stream: true });
    }
    if (run >= WARMUP) times.push((nowNs() - start) / 1e6);
    bytes = text.length;
    controller.abort();
    await reader.cancel().catch(() => {});
  }
  return { ...timed(times), bytes };
}
