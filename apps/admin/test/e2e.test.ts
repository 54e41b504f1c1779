import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { Progresser, RedisStore } from 'progressrus';
import { ProgressWorker } from 'progressrus/bullmq';
import { PostgresStore } from 'progressrus/postgres';
import { chromiumLaunchOptions, startPostgresServer } from 'progressrus/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_DIR, startExpectingExit, startNextServer } from './next-server';

const admin = inject('admin');
const SHOTS = join(APP_DIR, 'test-results');
const UNTIL = { timeout: 20_000 };

interface ImportJob {
  readonly userId: number;
  readonly total: number | null;
  readonly steps: number;
  readonly stepMs: number;
  readonly failAt?: number;
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let connection: Redis;
let store: RedisStore;
let queue: Queue<ImportJob>;
let worker: ProgressWorker<ImportJob>;

function auth(user = admin.user, password = admin.password): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Reloads until `check` passes: the scopes page is not live, a person would reload too. */
async function reloadUntil(url: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + UNTIL.timeout;
  for (;;) {
    await page.goto(url);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${url} never showed what the test waits for`);
    await page.waitForTimeout(300);
  }
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  connection = new Redis(admin.redisUrl, { maxRetriesPerRequest: null });
  store = new RedisStore({ connection, prefix: admin.prefix });
  queue = new Queue<ImportJob>(admin.queue, { connection });
  worker = new ProgressWorker<ImportJob>(
    admin.queue,
    async (job, progress) => {
      for (let step = 1; step <= job.data.steps; step += 1) {
        await new Promise((resolve) => setTimeout(resolve, job.data.stepMs));
        if (step === job.data.failAt) throw new Error('Upstream timed out after 30 s');
        progress.tick();
      }
    },
    {
      connection,
      concurrency: 5,
      progress: {
        scope: (job) => ['user', job.data.userId],
        total: (job) => job.data.total,
        name: (job) => `Import for user ${job.data.userId}`,
        store,
        intervalMs: 200,
      },
    },
  );
  browser = await chromium.launch(chromiumLaunchOptions());
  context = await browser.newContext({
    baseURL: admin.url,
    httpCredentials: { username: admin.user, password: admin.password },
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
  });
  page = await context.newPage();
  // Other users' scopes, so the filter has something to hide.
  for (const scope of [
    ['user', 8],
    ['user', 42],
    ['team', 'acme'],
  ]) {
    const other = new Progresser({
      scope,
      total: 100,
      name: `Report for ${scope.join(' ')}`,
      store,
    });
    other.tick(30);
    await other.flush();
  }
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await queue?.close();
  connection?.disconnect();
});

describe('admin app (next start, real Redis, real BullMQ worker, Chromium)', () => {
  it('refuses requests without credentials or with wrong ones', async () => {
    for (const path of [
      '/',
      '/scopes/user%3A7',
      '/api/progress/scopes',
      '/api/progress/events?scope=user:7',
      '/queues',
    ]) {
      const anonymous = await fetch(`${admin.url}${path}`);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
      const wrong = await fetch(`${admin.url}${path}`, {
        headers: auth(admin.user, `${admin.password}x`),
      });
      expect(wrong.status, path).toBe(401);
    }
    const allowed = await fetch(`${admin.url}/`, { headers: auth() });
    expect(allowed.status).toBe(200);
  });

  it('shows a job started for user 7 on the scopes page', async () => {
    await queue.add(
      'import',
      { userId: 7, total: 100, steps: 100, stepMs: 120 },
      { jobId: 'main' },
    );
    await reloadUntil('/', () =>
      page.getByRole('link', { name: 'user:7', exact: true }).isVisible(),
    );
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'user:7', exact: true }) });
    // The Running column, found by its header: the table's status columns can change order.
    const headers = await page.getByRole('columnheader').allTextContents();
    const running = headers.findIndex((text) => text.trim() === 'Running');
    expect(running).toBeGreaterThan(0);
    await expect
      .poll(async () => row.getByRole('cell').nth(running).textContent(), UNTIL)
      .toBe('1');
  });

  it('moves the bar of the job live on the scope page, without a reload', async () => {
    await queue.add(
      'import',
      { userId: 7, total: 80, steps: 40, stepMs: 100, failAt: 25 },
      { jobId: 'flaky' },
    );
    await queue.add(
      'import',
      { userId: 7, total: null, steps: 20, stepMs: 100 },
      { jobId: 'unknown-total' },
    );
    for (const id of ['flaky', 'unknown-total']) {
      await expect
        .poll(() => store.find(['user', 7], `${admin.queue}:${id}`), UNTIL)
        .not.toBeNull();
    }
    await page.goto('/scopes/user%3A7');
    await page.evaluate(() => {
      (window as { notReloaded?: boolean }).notReloaded = true;
    });
    const bars = page.locator(`tr[data-job-id="${admin.queue}:main"]`).getByRole('progressbar');
    await bars.waitFor(UNTIL);
    const first = Number((await bars.getAttribute('aria-valuenow')) ?? 0);
    await expect
      .poll(async () => Number((await bars.getAttribute('aria-valuenow')) ?? 0), UNTIL)
      .toBeGreaterThan(first);
    expect(await page.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await screenshot('scope-running');
    // PORTAL_URL is set: a user's scope links to what that user sees in the demo portal.
    expect(await page.getByRole('link', { name: 'What this user sees' }).getAttribute('href')).toBe(
      `${admin.portalUrl}/sign-in?user=7`,
    );
  });

  it('shows the job completed, with completed_at, once it finishes', async () => {
    const row = page.locator(`tr[data-job-id="${admin.queue}:main"]`);
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('Completed');
    await expect
      .poll(() => row.getByRole('progressbar').getAttribute('aria-valuenow'), UNTIL)
      .toBe('100');
    const failed = page.locator(`tr[data-job-id="${admin.queue}:flaky"]`);
    await expect.poll(() => failed.textContent(), UNTIL).toContain('Upstream timed out');
    // The status counts follow the stream too, not only the rows.
    const tabs = page.getByRole('navigation', { name: 'Filter by status' });
    await expect.poll(() => tabs.textContent(), UNTIL).toContain('Completed 2');
    expect(await tabs.textContent()).toContain('Failed 1');
    await page.waitForTimeout(1200);
    await screenshot('scope');

    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Import for user 7' }).waitFor(UNTIL);
    const completed = page
      .locator('dt', { hasText: /^Completed$/ })
      .locator('xpath=following-sibling::dd[1]');
    await expect.poll(() => completed.locator('time').count(), UNTIL).toBeGreaterThan(0);
    const iso = await completed.locator('time').first().getAttribute('datetime');
    const record = await store.find(['user', 7], `${admin.queue}:main`);
    expect(iso).toBe(record?.completedAt?.toISOString());
    await expect
      .poll(() => page.getByText('1 of 1 allowed', { exact: true }).count(), UNTIL)
      .toBe(1);
    await screenshot('job');
  });

  it('links the job to bull-board, and bull-board loads at /queues', async () => {
    await page.getByRole('link', { name: /Open in bull-board/ }).click();
    await page.waitForURL(`**/queues/queue/${admin.queue}/main`, UNTIL);
    await page.getByText(admin.queue).first().waitFor(UNTIL);
    await page.goto('/queues');
    await page.getByText(admin.queue).first().waitFor(UNTIL);
    await page.getByText('e2e-other').first().waitFor(UNTIL);
    // The overview fills in after the queue list: screenshot what a person sees once it has.
    await page.getByText('Loading...').first().waitFor({ ...UNTIL, state: 'hidden' });
    await screenshot('queues');
  });

  it('announces a job that starts after the page loaded, and shows it on request', async () => {
    await queue.add('import', { userId: 11, total: 5, steps: 5, stepMs: 100 }, { jobId: 'early' });
    await expect.poll(() => store.find(['user', 11], `${admin.queue}:early`), UNTIL).not.toBeNull();
    await page.goto('/scopes/user%3A11');
    await page.getByText('Live', { exact: true }).waitFor(UNTIL);
    await queue.add('import', { userId: 11, total: 5, steps: 5, stepMs: 100 }, { jobId: 'late' });
    const announce = page.getByRole('button', { name: '1 new job · Show' });
    await announce.waitFor(UNTIL);
    expect(await page.locator(`tr[data-job-id="${admin.queue}:late"]`).count()).toBe(0);
    await announce.click();
    await page.locator(`tr[data-job-id="${admin.queue}:late"]`).waitFor(UNTIL);
    await expect.poll(() => announce.count(), UNTIL).toBe(0);
  });

  it('filters scopes: user:7 finds user 7 and hides the others; user: finds every user', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'team:acme' }).waitFor(UNTIL);
    await screenshot('scopes');
    await page.getByRole('searchbox').fill('user:7');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/?prefix=user%3A7', UNTIL);
    await page.getByRole('link', { name: 'user:7', exact: true }).waitFor(UNTIL);
    for (const hidden of ['user:8', 'user:42', 'team:acme']) {
      expect(await page.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
    }
    await page.goto('/?prefix=user%3A');
    for (const shown of ['user:7', 'user:8', 'user:42']) {
      await page.getByRole('link', { name: shown, exact: true }).waitFor(UNTIL);
    }
    expect(await page.getByRole('link', { name: 'team:acme', exact: true }).count()).toBe(0);
  });

  it('paginates scopes by cursor and jobs by page, forward and back', async () => {
    const writers = Array.from(
      { length: 30 },
      (_, i) => new Progresser({ scope: ['page', i], total: 10, store }),
    );
    const jobs = Array.from(
      { length: 60 },
      (_, i) => new Progresser({ scope: ['paged', 1], total: 60, name: `Batch ${i + 1}`, store }),
    );
    for (const [i, writer] of [...writers, ...jobs].entries()) writer.tick(i % 10);
    await Promise.all([...writers, ...jobs].map((writer) => writer.flush()));

    const scopeLinks = () => page.getByRole('row').getByRole('link');
    await page.goto('/?prefix=page%3A');
    await expect.poll(() => scopeLinks().count(), UNTIL).toBe(25);
    const firstPage = await scopeLinks().allTextContents();
    await page.getByRole('link', { name: 'Older →' }).click();
    await expect.poll(() => scopeLinks().count(), UNTIL).toBe(5);
    const secondPage = await scopeLinks().allTextContents();
    expect(new Set([...firstPage, ...secondPage]).size).toBe(30);
    await page.getByRole('link', { name: '← Newer' }).click();
    await expect.poll(() => scopeLinks().allTextContents(), UNTIL).toEqual(firstPage);

    // Names sort with numbers by value: Batch 2 before Batch 10.
    await page.goto('/scopes/paged%3A1?sort=name&order=asc');
    await page.getByText('50 jobs on this page of 60').waitFor(UNTIL);
    expect(await page.locator('tbody tr').first().textContent()).toContain('Batch 1');
    expect(await page.locator('tbody tr').nth(1).textContent()).toContain('Batch 2');
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.getByText('10 jobs on this page of 60').waitFor(UNTIL);
    expect(await page.locator('tbody tr').first().textContent()).toContain('Batch 51');
    expect(await page.locator('tbody tr').count()).toBe(10);
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.getByText('50 jobs on this page of 60').waitFor(UNTIL);
    expect(await page.locator('tbody tr').first().textContent()).toContain('Batch 1');
  });

  it('searches the jobs of a scope by the start of their name, ignoring case', async () => {
    await page.goto('/scopes/paged%3A1?sort=name&order=asc');
    await page.getByRole('searchbox', { name: 'Job name' }).fill('BATCH 5');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/scopes/paged%3A1?name=BATCH+5&sort=name&order=asc', UNTIL);
    await expect.poll(() => page.locator('tbody tr').count(), UNTIL).toBe(11);
    expect(await page.locator('tbody tr').first().textContent()).toContain('Batch 5');
    expect(await page.locator('tbody tr').nth(1).textContent()).toContain('Batch 50');
  });

  it('renders job names and params as text, never as HTML', async () => {
    const name = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
    const hostile = new Progresser({
      scope: ['xss', 1],
      total: 10,
      name,
      params: { note: '<b>bold</b>' },
      store,
    });
    hostile.tick(4);
    await hostile.flush();
    await page.goto('/scopes/xss%3A1');
    await page.getByText(name).waitFor(UNTIL);
    await page.getByText(name).click();
    await page.getByRole('heading', { name }).waitFor(UNTIL);
    await page.getByText('"note": "<b>bold</b>"').waitFor(UNTIL);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"], b').count()).toBe(0);
  });

  it('deletes a record and then the finished ones through confirmed Server Actions', async () => {
    await page.goto(`/scopes/user%3A7/jobs/${encodeURIComponent(`${admin.queue}:flaky`)}`);
    await page.getByRole('button', { name: 'Delete record' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await store.find(['user', 7], `${admin.queue}:flaky`)).not.toBeNull();
    await page.getByRole('button', { name: 'Delete record' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('The job record was deleted.').waitFor(UNTIL);
    expect(await store.find(['user', 7], `${admin.queue}:flaky`)).toBeNull();

    await expect
      .poll(
        async () => (await store.find(['user', 7], `${admin.queue}:unknown-total`))?.finished,
        UNTIL,
      )
      .toBe(true);
    await page.getByRole('button', { name: 'Delete finished jobs' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Delete finished', exact: true })
      .click();
    await page.getByText('Deleted 2 finished jobs.').waitFor(UNTIL);
    expect(await store.scope(['user', 7])).toHaveLength(0);
  });

  it('refuses a Server Action posted from another site, and runs the same post from its own', async () => {
    const victim = new Progresser({ scope: ['csrf', 1], total: 5, name: 'Keep me', store });
    victim.tick(1);
    await victim.flush();
    await page.goto(`/scopes/csrf%3A1/jobs/${victim.id}`);
    let captured: { url: string; headers: Record<string, string>; body: string } | null = null;
    await page.route('**/*', async (route) => {
      const request = route.request();
      if (request.method() !== 'POST') return route.continue();
      captured = { url: request.url(), headers: request.headers(), body: request.postData() ?? '' };
      return route.abort();
    });
    await page.getByRole('button', { name: 'Delete record' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => captured !== null, UNTIL).toBe(true);
    await page.unroute('**/*');
    const post = captured as unknown as {
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(post.headers['next-action']).toBeTruthy();

    const replay = (origin: string) =>
      fetch(post.url, {
        method: 'POST',
        headers: { ...post.headers, ...auth(), origin },
        body: post.body,
        redirect: 'manual',
      });
    const forged = await replay('http://evil.example');
    expect(forged.status).toBe(403);
    expect(await store.find(['csrf', 1], victim.id)).not.toBeNull();
    const genuine = await replay(admin.url);
    expect(genuine.status).toBeLessThan(400);
    expect(await store.find(['csrf', 1], victim.id)).toBeNull();
  });

  it('answers errors without stack traces', async () => {
    const bad = await fetch(`${admin.url}/api/progress/jobs?scope=`, { headers: auth() });
    expect(bad.status).toBe(400);
    const body = await bad.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'bad_request' } });
    expect(body).not.toMatch(/\s+at\s+\S+\s+\(/);
    const missing = await fetch(`${admin.url}/scopes/user%3A7/jobs/nope`, { headers: auth() });
    expect(await missing.text()).toContain('This scope or job does not exist');
  });

  it('says the store is unreachable, in words, when Redis is down', async () => {
    const server = await startNextServer({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:1',
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
    });
    try {
      const response = await fetch(`${server.url}/`, { headers: auth() });
      const html = await response.text();
      expect(html).toContain('The progress store is unreachable');
      expect(html).toContain('Cannot reach Redis at redis://127.0.0.1:1');
      expect(html).not.toMatch(/\s+at\s+\S+\s+\(/);
    } finally {
      await server.stop();
    }
  });

  it('reads the records from PostgreSQL when PROGRESSRUS_STORE=postgres', async () => {
    const postgres = await startPostgresServer();
    const pool = new pg.Pool({ connectionString: postgres.url });
    let server: Awaited<ReturnType<typeof startNextServer>> | null = null;
    try {
      const pgStore = new PostgresStore({ pool });
      await pgStore.migrate();
      const job = new Progresser({
        scope: ['user', 7],
        total: 200,
        name: 'Nightly export from PostgreSQL',
        store: pgStore,
      });
      job.tick(50);
      await job.flush();
      server = await startNextServer({
        REDIS_URL: admin.redisUrl,
        PROGRESSRUS_STORE: 'postgres',
        DATABASE_URL: postgres.url,
        ADMIN_USER: admin.user,
        ADMIN_PASSWORD: admin.password,
      });
      const scopes = await (
        await fetch(`${server.url}/?prefix=user%3A7`, { headers: auth() })
      ).text();
      expect(scopes).toContain('user:7');
      const scope = await (
        await fetch(`${server.url}/scopes/user%3A7`, { headers: auth() })
      ).text();
      expect(scope).toContain('Nightly export from PostgreSQL');
      const api = await fetch(`${server.url}/api/progress/jobs?scope=user:7`, { headers: auth() });
      expect((await api.json()).items.map((item: { name: string }) => item.name)).toEqual([
        'Nightly export from PostgreSQL',
      ]);
      // No change feed for PostgreSQL: the table falls back to polling, and still follows writes.
      const viewer = await browser.newContext({
        baseURL: server.url,
        httpCredentials: { username: admin.user, password: admin.password },
      });
      const viewerPage = await viewer.newPage();
      await viewerPage.goto('/scopes/user%3A7');
      await viewerPage.getByText('Live (polling)').waitFor({ timeout: 30_000 });
      job.tick(100);
      await job.flush();
      const bar = viewerPage.getByRole('progressbar', { name: 'Nightly export from PostgreSQL' });
      await expect.poll(() => bar.getAttribute('aria-valuenow'), UNTIL).toBe('75');
      await viewer.close();
    } finally {
      await server?.stop();
      await pool.end();
      await postgres.stop();
    }
  });

  it('refuses to start in production without credentials', async () => {
    const result = await startExpectingExit({ NODE_ENV: 'production', REDIS_URL: admin.redisUrl });
    expect(result.code).toBe(1);
    expect(result.output).toContain('ADMIN_USER and ADMIN_PASSWORD are required in production');
  });

  it('looks right in dark mode', async () => {
    const dark = await browser.newContext({
      baseURL: admin.url,
      httpCredentials: { username: admin.user, password: admin.password },
      viewport: { width: 1440, height: 900 },
      colorScheme: 'dark',
    });
    const darkPage = await dark.newPage();
    await darkPage.goto('/?prefix=user%3A');
    await darkPage.getByRole('link', { name: 'user:42' }).waitFor(UNTIL);
    const background = await darkPage.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    expect(background).toBe('rgb(15, 17, 21)');
    await darkPage.screenshot({ path: join(SHOTS, 'scopes-dark.png'), fullPage: true });
    await dark.close();
  });
});
