import { RedisStore } from 'progressrus';
import { ensureBuild, startNextServer } from '../apps/admin/test/next-server.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { seedScope } from './lib/seed.js';
import { fmt, median, nowNs, quantile } from './lib/stats.js';

const RECORDS = 100_000;
const CLIENTS = 50;
const DURATION_MS = Number(process.env.BENCH_ADMIN_LOAD_MS ?? 30_000);
const BAR_MS = 500;
const SCOPE = 'load:big';

/**
 * Issue 17 §5, the dashboard under load: 50 clients with credentials, each loading the admin's
 * scope page of a 100,000-record RedisStore scope over and over for 30 s under `next start`
 * (a production build): the first page, other sorts, status filters and the next page by
 * cursor, each read to its end (the rows stream in after the shell).
 */
export const adminLoadBenchmark: Benchmark = {
  name: 'admin-load',
  description: `${CLIENTS} signed-in clients loading scope pages of a ${fmt(RECORDS)}-record scope`,
  async run(context) {
    const redis = await context.redis();
    const prefix = context.unique('admin-load');
    context.log(`seeding ${fmt(RECORDS)} records`);
    await seedScope(new RedisStore({ connection: redis, prefix }), SCOPE.split(':'), RECORDS);
    context.log('admin: next build (skipped when .next is fresh)');
    await ensureBuild();
    const password = 'bench-password';
    const server = await startNextServer({
      REDIS_URL: await context.redisUrl(),
      PROGRESSRUS_PREFIX: prefix,
      ADMIN_USER: 'bench',
      ADMIN_PASSWORD: password,
    });
    const headers = {
      authorization: `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`,
    };
    try {
      const load = (path: string) => loadPage(`${server.url}${path}`, headers);
      const base = `/scopes/${encodeURIComponent(SCOPE)}`;
      const next = nextPageHref(await load(base));
      const paths = [
        base,
        `${base}?sort=startedAt`,
        `${base}?sort=name&order=asc`,
        `${base}?sort=percentage`,
        `${base}?status=completed`,
        `${base}?status=failed&sort=startedAt`,
        next,
      ];
      // Warm-up, then the same pages one at a time: what a page costs without a queue.
      for (const path of paths) await load(path);
      const alone: number[] = [];
      for (const path of [...paths, ...paths]) {
        const start = nowNs();
        await load(path);
        alone.push((nowNs() - start) / 1e6);
      }
      const times: number[] = [];
      const started = Date.now();
      const deadline = started + DURATION_MS;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let index = client; Date.now() < deadline; index += 1) {
            const start = nowNs();
            await load(paths[index % paths.length] as string);
            times.push((nowNs() - start) / 1e6);
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const p95 = quantile(times, 0.95);
      return [
        {
          id: 'admin.load',
          what: `Admin scope pages of a ${fmt(RECORDS)}-record scope, ${CLIENTS} concurrent signed-in clients for ${fmt(DURATION_MS / 1000)} s (first page, 3 other sorts, 2 status filters, next page by cursor; whole page)`,
          measured: `p95 ${fmt(p95)} ms (median ${fmt(median(times))} ms), ${fmt(times.length / seconds, 1)} pages/s; one client alone: median ${fmt(median(alone))} ms a page`,
          value: p95,
          bar: `≤ ${BAR_MS} ms at p95`,
          pass: atMost(p95, BAR_MS),
          details: {
            pages: times.length,
            seconds,
            medianMs: median(times),
            p99Ms: quantile(times, 0.99),
            maxMs: times.reduce((max, value) => Math.max(max, value), 0),
            aloneMs: alone,
          },
        },
      ] satisfies BenchRow[];
    } finally {
      await server.stop();
    }
  },
};

/** Loads a page to its end; a page without job rows is an error, not a fast page. */
async function loadPage(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  if (!text.includes('data-job-id')) throw new Error(`${url} has no job rows`);
  return text;
}

/** The "Next" link of a scope page: the second page of the same listing, by cursor. */
function nextPageHref(html: string): string {
  const match = /href="([^"]*[?&](?:amp;)?cursor=[^"]+)"/.exec(html);
  if (match === null) throw new Error('the scope page has no next-page link');
  return (match[1] as string).replaceAll('&amp;', '&');
}
