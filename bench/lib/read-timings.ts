import type { Store } from 'progressrus';
import { createProgressHandler } from 'progressrus/http';
import type { BenchContext } from './context.js';
import { seedScope, seedScopes } from './seed.js';
import { median, quantile, timeRuns } from './stats.js';

export const SCOPE_RECORDS = 10_000;
export const SCOPE_COUNT = 100_000;
const RUNS = 20;
const WARMUP = 3;

/** Prefix filters of different selectivity among the seeded scopes, and the path each takes. */
export const PREFIXES = [
  { prefix: 'tenant:3:', matches: '10 %' },
  { prefix: 'tenant:3:user:1', matches: '1.1 %' },
  { prefix: 'tenant:3:user:42', matches: '0.1 %' },
] as const;

export interface Timing {
  readonly medianMs: number;
  readonly p95Ms: number;
}

export interface ReadTimings {
  readonly scope: Timing;
  /** `GET /jobs?scope=…` of the HTTP handler, in process, until the whole first page is read. */
  readonly httpFirstPage: Timing & { readonly bytes: number; readonly items: number };
  readonly pages: readonly (Timing & { readonly prefix: string; readonly items: number })[];
  /** The slowest prefix filter's median: what the bar is checked against. */
  readonly worstPageMs: number;
}

function timing(times: readonly number[]): Timing {
  return { medianMs: median(times), p95Ms: quantile(times, 0.95) };
}

/**
 * Seeds a 10,000-record scope and 100,000 one-record scopes into `store` through real
 * Progressers, then times `scope()` and the first page of 50 scopes under each prefix filter
 * (and a second page through the cursor), and the HTTP handler's first page of the big scope.
 */
export async function timeReads(
  context: BenchContext,
  label: string,
  store: Store,
): Promise<ReadTimings> {
  const scope = ['account', 'big'];
  context.log(`${label}: seeding ${SCOPE_RECORDS.toLocaleString('en-US')} records in one scope`);
  await seedScope(store, scope, SCOPE_RECORDS);
  context.log(`${label}: seeding ${SCOPE_COUNT.toLocaleString('en-US')} scopes`);
  await seedScopes(store, SCOPE_COUNT);

  let read = 0;
  const scopeTimes = await timeRuns(RUNS, WARMUP, async () => {
    read = (await store.scope(scope)).length;
  });
  if (read !== SCOPE_RECORDS)
    throw new Error(`${label}: scope() returned ${read} records, expected ${SCOPE_RECORDS}`);

  const handler = createProgressHandler({ store, authorize: () => true });
  let body = '';
  const httpTimes = await timeRuns(RUNS, WARMUP, async () => {
    const response = await handler(new Request(`http://bench.local/jobs?scope=${scope.join(':')}`));
    body = await response.text();
    if (response.status !== 200)
      throw new Error(`${label}: GET /jobs answered ${response.status}: ${body}`);
  });
  await handler.close();
  const httpFirstPage = {
    ...timing(httpTimes),
    bytes: body.length,
    items: (JSON.parse(body) as { items: unknown[] }).items.length,
  };

  const pages: (Timing & { prefix: string; items: number })[] = [];
  for (const { prefix } of PREFIXES) {
    let items = 0;
    let cursor: string | null = null;
    const first = await timeRuns(RUNS, WARMUP, async () => {
      const page = await store.scopes({ prefix, limit: 50 });
      items = page.items.length;
      cursor = page.nextCursor;
    });
    pages.push({ prefix, items, ...timing(first) });
    if (cursor !== null) {
      const after: string = cursor;
      const second = await timeRuns(RUNS, WARMUP, () =>
        store.scopes({ prefix, limit: 50, cursor: after }),
      );
      pages.push({ prefix: `${prefix} (page 2)`, items, ...timing(second) });
    }
  }
  return {
    scope: timing(scopeTimes),
    httpFirstPage,
    pages,
    worstPageMs: Math.max(...pages.map((page) => page.medianMs)),
  };
}
