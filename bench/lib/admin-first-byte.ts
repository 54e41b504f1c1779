import { ensureBuild, startNextServer } from '../../apps/admin/test/next-server.js';
import { atMost, type BenchRow } from './result.js';
import { fmt, median, nowNs, quantile } from './stats.js';

export const ADMIN_FIRST_BYTE_BAR_MS = 150;
const RUNS = 20;
const WARMUP = 3;

/**
 * The admin's scope page of each scope under `next start` (a production build, built here if
 * `.next` is older than its sources): milliseconds from the request to the first byte of the
 * body, and to the end of the page (the rows stream in after the shell, inside Suspense).
 */
export async function timeAdminScopePage(options: {
  readonly label: string;
  readonly key: string;
  readonly env: Record<string, string>;
  readonly scopes: readonly { readonly key: string; readonly jobs: number }[];
  readonly log: (message: string) => void;
}): Promise<BenchRow[]> {
  try {
    return await timeScopePages(options);
  } catch (error) {
    // The page reads measured before must not be lost to a build or start failure.
    options.log(`admin: not measured: ${(error as Error).message.split('\n')[0]}`);
    return [
      {
        id: `pages.${options.key}.admin`,
        what: `${options.label}: admin scope page under \`next start\`, first byte`,
        measured: `not measured: ${(error as Error).message.split('\n')[0]}`,
        value: Number.NaN,
        bar: `≤ ${ADMIN_FIRST_BYTE_BAR_MS} ms`,
        pass: null,
      },
    ];
  }
}

async function timeScopePages(options: Parameters<typeof timeAdminScopePage>[0]): Promise<BenchRow[]> {
  options.log('admin: next build (skipped when .next is fresh)');
  await ensureBuild();
  const password = 'bench-password';
  const server = await startNextServer({ ...options.env, ADMIN_USER: 'bench', ADMIN_PASSWORD: password });
  const authorization = `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`;
  const rows: BenchRow[] = [];
  try {
    for (const scope of options.scopes) {
      const firstByte: number[] = [];
      const whole: number[] = [];
      for (let run = 0; run < RUNS + WARMUP; run++) {
        const start = nowNs();
        const response = await fetch(`${server.url}/scopes/${encodeURIComponent(scope.key)}`, {
          headers: { authorization },
        });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        const firstMs = (nowNs() - start) / 1e6;
        let text = '';
        const decoder = new TextDecoder();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
          text += decoder.decode(chunk.value, { stream: true });
        const wholeMs = (nowNs() - start) / 1e6;
        if (response.status !== 200) throw new Error(`admin answered ${response.status}`);
        if (!text.includes('data-job-id')) throw new Error(`admin page of ${scope.key} has no job rows`);
        if (run >= WARMUP) {
          firstByte.push(firstMs);
          whole.push(wholeMs);
        }
      }
      const value = median(firstByte);
      rows.push({
        id: `pages.${options.key}.admin.${scope.jobs}`,
        what: `${options.label}: admin scope page of a ${fmt(scope.jobs)}-job scope under \`next start\`, first byte (median of ${RUNS})`,
        measured: `${fmt(value, 1)} ms (p95 ${fmt(quantile(firstByte, 0.95), 1)} ms); whole page with its 50 rows ${fmt(median(whole), 1)} ms`,
        value,
        bar: `≤ ${ADMIN_FIRST_BYTE_BAR_MS} ms`,
        pass: atMost(value, ADMIN_FIRST_BYTE_BAR_MS),
        details: { firstByte, whole },
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}
