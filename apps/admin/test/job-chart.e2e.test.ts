import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { RedisStore } from 'progressrus';
import { ProgressWorker } from 'progressrus/bullmq';
import { chromiumLaunchOptions } from 'progressrus/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const admin = inject('admin');
const DOCS = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'docs');
const QUEUE = 'e2e-charts';
const UNTIL = { timeout: 30_000 };
const INTERVAL_MS = 250;

interface ChartJob {
  /** Ticks before the processor stops writing and waits until it is aborted. */
  readonly hangAfter?: number;
  /** Throws after this many ticks on its first attempt. */
  readonly failFirstAttemptAfter?: number;
}

let browser: Browser;
let page: Page;
let connection: Redis;
let queue: Queue<ChartJob>;
let worker: ProgressWorker<ChartJob>;
let store: RedisStore;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The job page's value of one field ("Status", "Count"…), as shown. */
const field = (label: string) =>
  page
    .locator('dt', { hasText: new RegExp(`^${label}$`) })
    .locator('xpath=following-sibling::dd[1]')
    .textContent();

beforeAll(async () => {
  connection = new Redis(admin.redisUrl, { maxRetriesPerRequest: null });
  store = new RedisStore({ connection, prefix: admin.prefix });
  queue = new Queue<ChartJob>(QUEUE, { connection });
  // Real jobs: the chart draws the history their throttled writes kept, nothing written by hand.
  worker = new ProgressWorker<ChartJob>(
    QUEUE,
    async (job, progress, _token, signal) => {
      for (let tick = 1; tick <= 40; tick += 1) {
        await sleep(60 + (tick % 7) * 15);
        if (job.attemptsMade === 0 && tick === job.data.failFirstAttemptAfter)
          throw new Error('Card processor answered 503');
        progress.tick();
        if (tick === job.data.hangAfter) {
          // A processor stuck on a call that never returns: no more writes, so it stalls.
          await new Promise((resolve) => signal?.addEventListener('abort', resolve));
          return;
        }
      }
    },
    {
      connection,
      concurrency: 2,
      progress: {
        scope: () => ['team', 'charts'],
        total: () => 40,
        name: (job) => job.name,
        store,
        intervalMs: INTERVAL_MS,
      },
    },
  );
  browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext({
    baseURL: admin.url,
    httpCredentials: { username: admin.user, password: admin.password },
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
  });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await worker?.close(true);
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  connection?.disconnect();
});

/** Opens the job page once a worker has written the job's first record (before, it is a 404). */
async function openJobPage(jobId: string, name: string): Promise<void> {
  await expect.poll(() => store.find(['team', 'charts'], `${QUEUE}:${jobId}`), UNTIL).not.toBeNull();
  await page.goto(`/scopes/team%3Acharts/jobs/${encodeURIComponent(`${QUEUE}:${jobId}`)}`);
  await page.getByRole('heading', { name }).waitFor(UNTIL);
}

describe('the job page draws the progress chart of real jobs (next start, BullMQ, Chromium)', () => {
  it('marks where a job stalled (screenshot)', async () => {
    const job = await queue.add('catalog-import', { hangAfter: 18 }, { jobId: 'stalls' });
    await openJobPage(job.id ?? '', 'catalog-import');
    // It stalls once 3 intervals pass without a write; the page is live, no reload.
    // (A busy machine can make it read stalled for a moment earlier: wait for the last count.)
    await expect
      .poll(async () => `${await field('Status')} ${await field('Count')}`, UNTIL)
      .toBe('stalled 18');
    const chart = page.getByRole('img', { name: 'Progress of catalog-import' });
    expect(await chart.getByRole('img', { name: 'Stalled' }).count()).toBe(1);
    expect(await chart.getByRole('img', { name: 'Retry' }).count()).toBe(0);
    await page.screenshot({ path: join(DOCS, 'admin-job-stalled.png'), fullPage: true });
    await worker.cancelJob(job.id ?? '');
  });

  it('marks where a failed attempt was retried (screenshot)', async () => {
    const job = await queue.add(
      'card-charges',
      { failFirstAttemptAfter: 14 },
      { jobId: 'retries', attempts: 2, backoff: { type: 'fixed', delay: 600 } },
    );
    await openJobPage(job.id ?? '', 'card-charges');
    // Attempt 1 fails at 13 of 40; attempt 2 starts over and finishes: one series, one retry.
    await expect
      .poll(async () => `${await field('Status')} ${await field('Attempt')}`, UNTIL)
      .toBe('completed 2');
    const chart = page.getByRole('img', { name: 'Progress of card-charges' });
    expect(await chart.getByRole('img', { name: 'Retry' }).count()).toBe(1);
    expect(await chart.getByRole('img', { name: 'Stalled' }).count()).toBe(0);
    await page.screenshot({ path: join(DOCS, 'admin-job-retried.png'), fullPage: true });
  });
});
