import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startWorkers } from '@progressrus/demo/workers';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { Progresser, RedisStore } from 'progressrus';
import { createProgressToken } from 'progressrus/http';
import { chromiumLaunchOptions } from 'progressrus/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deriveKeys } from '../lib/session';
import { PORTAL_APP } from './portal-app';

const portal = inject('portal');
const SHOTS = join(PORTAL_APP.dir, 'test-results');
const UNTIL = { timeout: 30_000 };

let browser: Browser;
let connection: Redis;
let store: RedisStore;
const stop = new AbortController();
let workers: ReturnType<typeof startWorkers>;
/**
 * A token as the portal mints it for user 3, but lasting a minute: requests the test sends
 * itself must not depend on how fast a loaded machine gets to them.
 */
function tokenOfUser3(): string {
  return createProgressToken({
    secret: deriveKeys(portal.secret).progress,
    scope: ['user', 3],
    actions: ['cancel'],
    expiresInMs: 60_000,
  });
}

/** One browser context (its own cookies) per demo user. */
const users = new Map<number, { context: BrowserContext; page: Page }>();

async function signedIn(user: number): Promise<Page> {
  const existing = users.get(user);
  if (existing) return existing.page;
  const context = await browser.newContext({
    baseURL: portal.url,
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('radio', { name: `User ${user}` }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/users/${user}/jobs`);
  await page.getByText('Live', { exact: true }).waitFor(UNTIL);
  users.set(user, { context, page });
  return page;
}

/** Starts an import through the page's own form. */
async function startImport(page: Page, name: string, size: 'small' | 'medium' | 'large') {
  await page.getByLabel('File name').fill(name);
  await page.getByRole('radio', { name: new RegExp(`^${size}:`, 'i') }).check();
  await page.getByRole('button', { name: 'Start import' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `“${name}” is queued.` })
    .waitFor(UNTIL);
}

/** The table row of a job, found by its exact name. */
function row(page: Page, name: string) {
  return page.locator('tbody tr').filter({
    has: page.locator('th').getByText(name, { exact: true }),
  });
}

/** The count shown in a row: "420 of 1,500" → 420. */
async function shownCount(page: Page, name: string): Promise<number> {
  const text = await row(page, name).locator('.progressrus-job-counts').innerText();
  return Number(/([\d,]+) (?:of|done)/.exec(text)?.[1]?.replace(/,/g, '') ?? Number.NaN);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  connection = new Redis(portal.redisUrl, { maxRetriesPerRequest: null });
  store = new RedisStore({ connection });
  setMaxListeners(0, stop.signal);
  // The demo's own workers: the portal's imports run exactly as under `npm start`.
  workers = startWorkers(connection, stop.signal, async () => {
    throw new Error('The portal adds no jobs with children');
  });
  // Jobs of scopes next to user 3's, which no page of user 3 may ever show.
  for (const [scope, name] of [
    [['user', 5], 'Payroll of user 5'],
    [['user', 35], 'Archive of user 35'],
    [['user', 3, 'private'], 'Drafts under user:3:private'],
  ] as const) {
    const other = new Progresser({ scope: [...scope], total: 100, name, store });
    other.tick(40);
    // Finished, so that nothing on user 5's page changes by itself (a running job would stall).
    await other.complete();
  }
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  stop.abort();
  await Promise.all((workers ?? []).map((worker) => worker.close(true)));
  connection?.disconnect();
});

describe('portal', () => {
  it('signs a demo user in without a password, says so, and keeps the session cookie from scripts', async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await page.goto('/users/3/jobs');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expect(page.getByText('This is a demo: there is no password.').isVisible()).resolves.toBe(
      true,
    );
    await page.getByRole('radio', { name: 'User 3' }).check();
    await screenshot(page, 'portal-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/users/3/jobs');
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'portal_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain('portal_session');
    await context.close();
  });

  it('refuses a forged or tampered session cookie', async () => {
    const page = await signedIn(3);
    const context = await browser.newContext({ baseURL: portal.url });
    const own = (await users.get(3)?.context.cookies())?.find((c) => c.name === 'portal_session');
    expect(own).toBeDefined();
    // User 3's real cookie with the user changed to 5: the signature no longer matches.
    const tampered = own?.value.replace(/^v1\.3\./, 'v1.5.') ?? '';
    await context.addCookies([{ ...(own as NonNullable<typeof own>), value: tampered }]);
    const other = await context.newPage();
    await other.goto('/users/5/jobs');
    expect(new URL(other.url()).pathname).toBe('/sign-in');
    await context.close();
    expect(new URL(page.url()).pathname).toBe('/users/3/jobs');
  });

  it('shows two users only their own jobs, live: user 3’s job moves while user 5’s page does not change', async () => {
    const three = await signedIn(3);
    const five = await signedIn(5);
    // Done by the time user 3's page is photographed for the README.
    await startImport(three, 'leads-november.csv', 'small');
    // No worker free: the job shows at once as queued (ProgressQueue writes its record first)…
    const imports = workers.find((worker) => worker.name === 'imports');
    await imports?.pause(true);
    await startImport(five, 'user5-invoices.csv', 'small');
    const invoices = row(five, 'user5-invoices.csv');
    await invoices.and(five.locator('[data-status="queued"]')).waitFor(UNTIL);
    expect(await invoices.getByText('Queued', { exact: true }).count()).toBe(1);
    // …then runs and completes on that same row, which never moves to another.
    imports?.resume();
    await invoices.and(five.locator('[data-status="running"]')).waitFor(UNTIL);
    await invoices.and(five.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    expect(await invoices.count()).toBe(1);
    await startImport(three, 'user3-orders.csv', 'medium');
    await row(three, 'user3-orders.csv').waitFor(UNTIL);
    await startImport(three, 'contacts-archive.csv', 'large');

    // User 5's table as it is now, and every change made to it from now on.
    const fiveTable = five.locator('table.progressrus-jobs');
    const before = await fiveTable.innerText();
    await five.evaluate(() => {
      const w = window as unknown as { __changes: number };
      w.__changes = 0;
      new MutationObserver((records) => {
        w.__changes += records.length;
      }).observe(document.querySelector('table.progressrus-jobs') as Node, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    const seen: number[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && new Set(seen).size < 3) {
      const count = await shownCount(three, 'user3-orders.csv');
      if (!Number.isNaN(count)) seen.push(count);
      await three.waitForTimeout(500);
    }
    // Three different counts, each larger than the last, without a reload.
    const distinct = [...new Set(seen)];
    expect(distinct.length).toBeGreaterThanOrEqual(3);
    expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
    expect(await fiveTable.innerText()).toBe(before);
    expect(await five.evaluate(() => (window as unknown as { __changes: number }).__changes)).toBe(
      0,
    );

    // Neither page ever shows the other's jobs, nor those of the scopes next door.
    const threeText = await three.locator('main').innerText();
    const fiveText = await five.locator('main').innerText();
    for (const name of ['user5-invoices.csv', 'Payroll of user 5', 'Archive of user 35']) {
      expect(threeText).not.toContain(name);
    }
    expect(threeText).not.toContain('Drafts under user:3:private');
    for (const name of [
      'user3-orders.csv',
      'leads-november.csv',
      'Archive of user 35',
      'Drafts under user:3:private',
    ]) {
      expect(fiveText).not.toContain(name);
    }
    expect(fiveText).toContain('Payroll of user 5');
    await row(three, 'leads-november.csv')
      .and(three.locator('[data-status="completed"]'))
      .waitFor(UNTIL);
    // The newest running job has a chart: an image with a name and a description in words.
    const chart = three.getByRole('img', { name: /^Progress of / });
    await chart.waitFor(UNTIL);
    expect(await chart.locator('desc').textContent()).not.toBe('');
    await screenshot(three, 'portal-my-jobs');
    await screenshot(five, 'portal-other-user');
  });

  it('answers another user’s page with 403, and says so in words', async () => {
    const three = await signedIn(3);
    const response = await three.goto('/users/5/jobs');
    expect(response?.status()).toBe(403);
    const main = three.locator('main');
    expect(await main.innerText()).toContain('403 Forbidden: these are not your jobs');
    expect(await main.innerText()).toContain('You are signed in as User 3');
    expect(await main.innerText()).not.toContain('Payroll of user 5');
    await screenshot(three, 'portal-forbidden');
    await three.goto('/users/3/jobs');
  });

  it('refuses a scope changed in the request with 403, and the page says so', async () => {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await context.addCookies((await users.get(3)?.context.cookies()) ?? []);
    const tokens: string[] = [];
    // As devtools' "edit and resend" would: the page asks for user 3, the request says user 5.
    await page.route('**/api/progress/**', (route) => {
      const url = new URL(route.request().url());
      tokens.push(url.searchParams.get('token') ?? '');
      url.searchParams.set('scope', 'user:5');
      return route.continue({ url: url.toString() });
    });
    await page.goto('/users/3/jobs');
    const alert = page.locator('main').getByRole('alert');
    await alert.getByText('403 Forbidden: these are not your jobs').waitFor(UNTIL);
    expect(await alert.innerText()).toContain('Not allowed to read the scope "user:5"');
    expect(await page.locator('main').innerText()).not.toContain('Payroll of user 5');
    await context.close();

    expect(tokens.find((value) => value !== '')).toMatch(/^prg2\./);

    // User 3's token, straight to the API: only its own scope, exactly.
    const token = tokenOfUser3();
    const api = (scope: string, withToken = token) =>
      fetch(
        `${portal.url}/api/progress/jobs?${new URLSearchParams({ scope, ...(withToken ? { token: withToken } : {}) })}`,
      );
    expect((await api('user:3')).status).toBe(200);
    for (const scope of ['user:5', 'user:35', 'user:3:private', 'user']) {
      const refused = await api(scope);
      expect(refused.status).toBe(403);
    }
    expect((await api('user:3', '')).status).toBe(401);
  });

  it('renews an expiring token without a reload, and keeps the page live', async () => {
    const page = await signedIn(3);
    const tokens = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/progress/events') tokens.add(url.searchParams.get('token') ?? '');
    });
    await page.goto('/users/3/jobs');
    await page.getByText('Live', { exact: true }).waitFor(UNTIL);
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const [firstToken = ''] = tokens;
    expect(firstToken).toMatch(/^prg2\./);
    // Three lifetimes: each token must have been replaced before the server ended its stream.
    await page.waitForTimeout(portal.tokenTtlMs * 3);
    expect(tokens.size).toBeGreaterThanOrEqual(3);
    expect(await page.getByText(/access renewed \d+ times/).innerText()).toMatch(
      /renewed ([3-9]|\d\d+) times/,
    );
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    // The first token has expired for real: the API refuses it…
    const stale = await fetch(
      `${portal.url}/api/progress/jobs?${new URLSearchParams({ scope: 'user:3', token: firstToken })}`,
    );
    expect(stale.status).toBe(401);
    // …yet the page, on a renewed one, still shows a write at once.
    const probe = new Progresser({ scope: ['user', 3], total: 10, name: 'After renewal', store });
    probe.tick(7);
    await probe.flush();
    await row(page, 'After renewal').getByText('7 of 10').waitFor(UNTIL);
    expect(await page.getByText('Live', { exact: true }).isVisible()).toBe(true);
  });

  it('lets a user cancel their own running job, and only their own', async () => {
    const three = await signedIn(3);
    const five = await signedIn(5);
    await startImport(three, 'cancel-me.csv', 'large');
    await startImport(five, 'keep-running.csv', 'large');
    const mine = row(three, 'cancel-me.csv');
    await mine.and(three.locator('[data-status="running"]')).waitFor(UNTIL);
    await mine.getByRole('button', { name: 'Cancel cancel-me.csv' }).click();
    // The worker in the other process stops the job: the same row ends cancelled, and stays.
    await mine.and(three.locator('[data-status="cancelled"]')).waitFor(UNTIL);
    const stoppedAt = await shownCount(three, 'cancel-me.csv');
    await three.waitForTimeout(2500);
    expect(await shownCount(three, 'cancel-me.csv')).toBe(stoppedAt);
    expect(stoppedAt).toBeLessThan(6000);
    expect(await mine.getByRole('button', { name: /Cancel/ }).count()).toBe(0);

    // User 3's token cannot cancel user 5's job: not by naming user 5's scope (403), nor by
    // naming the job under user 3's own scope (404: user 3's scope holds no such job).
    const theirs = (await store.scope(['user', 5])).find(
      (tick) => tick.name === 'keep-running.csv',
    );
    expect(theirs).toBeDefined();
    const token = tokenOfUser3();
    const cancel = (scope: string) =>
      fetch(
        `${portal.url}/api/progress/job/cancel?${new URLSearchParams({ scope, id: theirs?.id ?? '' })}`,
        { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: portal.url } },
      );
    expect((await cancel('user:5')).status).toBe(403);
    expect((await cancel('user:3')).status).toBe(404);
    const other = row(five, 'keep-running.csv');
    expect(await other.getAttribute('data-status')).toBe('running');
    const before = await shownCount(five, 'keep-running.csv');
    await expect.poll(() => shownCount(five, 'keep-running.csv'), UNTIL).toBeGreaterThan(before);
  });

  it('renders hostile job names as text', async () => {
    const page = await signedIn(3);
    const hostile = [
      '<img src=x onerror="window.__pwned=1">',
      '"><script>window.__pwned=2</script>',
      "{{constructor.constructor('window.__pwned=3')()}}",
    ];
    for (const name of hostile) await startImport(page, name, 'small');
    for (const name of hostile) await row(page, name).waitFor(UNTIL);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
      undefined,
    );
    expect(
      await page.locator('table.progressrus-jobs img, table.progressrus-jobs script').count(),
    ).toBe(0);
  });

  it('measures the first load of "My jobs" and how fast a write reaches the page', async () => {
    const page = await signedIn(3);
    // Warm: the route has been served and compiled paths are in memory.
    await page.goto('/users/3/jobs');
    await page.getByText('Live', { exact: true }).waitFor(UNTIL);
    const loads: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const start = Date.now();
      await page.goto('/users/3/jobs');
      await row(page, 'user3-orders.csv').waitFor(UNTIL);
      loads.push(Date.now() - start);
    }

    const probe = new Progresser({ scope: ['user', 3], total: 1000, name: 'Latency probe', store });
    const latencies: number[] = [];
    for (let count = 1; count <= 40; count += 1) {
      probe.tick();
      const written = Date.now();
      await probe.flush();
      // Polled every animation frame in the page; the page's clock is this machine's clock.
      const shownAt = await page.waitForFunction(
        (wanted) => {
          for (const row of document.querySelectorAll('tbody tr')) {
            if (row.querySelector('th')?.textContent !== 'Latency probe') continue;
            const counts = row.querySelector('.progressrus-job-counts')?.textContent ?? '';
            if (new RegExp(`(^|\\D)${wanted} of 1,000`).test(counts)) return Date.now();
          }
          return null;
        },
        count,
        { polling: 'raf', timeout: UNTIL.timeout },
      );
      latencies.push(((await shownAt.jsonValue()) as number) - written);
    }
    console.log(
      `[portal timings] first load of "My jobs" (warm, until its jobs show): median ${percentile(loads, 50)} ms, max ${Math.max(...loads)} ms over ${loads.length} loads`,
    );
    console.log(
      `[portal timings] write to page: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${Math.max(...latencies)} ms over ${latencies.length} writes`,
    );
    expect(latencies).toHaveLength(40);
  });
});
