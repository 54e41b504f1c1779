import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Progresser, RedisStore } from 'progressrus';
import {
  createProgressHandler,
  createProgressToken,
  type ProgressHandler,
  toNodeHandler,
} from 'progressrus/http';
import { chromiumLaunchOptions, type RedisServer, startRedisServer } from 'progressrus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, type PageServer, startPageServer } from './page-server.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');
const SECRET = 'a-test-secret-of-at-least-32-bytes-long!';
let redisServer: RedisServer;
let redis: Redis;
let handler: ProgressHandler;
let pollOnlyHandler: ProgressHandler;
let server: PageServer;
let browser: Browser;

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = new Redis(redisServer.url);
  handler = createProgressHandler({
    store: new RedisStore({ connection: redis }),
    changes: { connection: redis },
    basePath: '/api/progress',
    tokenSecret: SECRET,
  });
  // Without `changes`, /events answers 404: the browser's EventSource gives up, the hook polls.
  pollOnlyHandler = createProgressHandler({
    store: new RedisStore({ connection: redis }),
    basePath: '/api/polled',
    tokenSecret: SECRET,
  });
  server = await startPageServer(await bundlePage(), {
    '/api/progress': toNodeHandler(handler),
    '/api/polled': toNodeHandler(pollOnlyHandler),
  });
  browser = await chromium.launch(chromiumLaunchOptions());
  await mkdir(RESULTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await handler?.close();
  await pollOnlyHandler?.close();
  redis?.disconnect();
  await redisServer?.stop();
});

async function valueNow(page: Page): Promise<number | null> {
  const bar = page.getByRole('region', { name: 'Current job' }).getByRole('progressbar');
  const value = await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
  return value === null ? null : Number(value);
}

/** Opens the test page for one job; counts main-frame navigations to prove there is no reload. */
async function openPage(api: string, scope: readonly (string | number)[], id: string) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
  const navigations = { count: 0 };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.count += 1;
  });
  const token = createProgressToken({ secret: SECRET, scope });
  const query = new URLSearchParams({ api, scope: scope.join(':'), id, token });
  await page.goto(`${server.origin}/?${query}`);
  return { page, navigations };
}

function connection(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Connection' }).textContent();
}

describe('useProgress in a real browser', () => {
  it('moves the bar as a job ticks in Redis, without a reload', async () => {
    const store = new RedisStore({ connection: redis });
    const scope = ['user', 3421];
    const job = new Progresser({
      scope,
      id: 'nightly-export',
      name: 'Nightly export',
      total: 200,
      store,
      intervalMs: 60_000,
    });
    const other = new Progresser({
      scope,
      id: 'import',
      name: 'Import customers',
      total: null,
      store,
    });
    job.tick(20);
    other.tick(1234);
    await Promise.all([job.flush(), other.flush()]);

    const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    const token = createProgressToken({ secret: SECRET, scope });
    await page.goto(
      `${server.origin}/?scope=user:3421&id=nightly-export&token=${encodeURIComponent(token)}`,
    );
    await page.evaluate(() => {
      (window as unknown as { loadMarker: string }).loadMarker = 'first load';
    });

    await expect.poll(() => valueNow(page), { timeout: 15_000 }).toBe(10);
    await expect
      .poll(() => page.getByRole('status', { name: 'Connection' }).textContent())
      .toBe('live');

    // Each write reaches the page over the event stream; record how long each one takes.
    const seen: number[] = [10];
    const latenciesMs: number[] = [];
    for (const count of [60, 110, 150]) {
      job.tick(count - job.snapshot().count);
      await job.flush();
      const written = performance.now();
      const expected = Math.floor((count / 200) * 100);
      await expect.poll(() => valueNow(page), { timeout: 10_000, interval: 10 }).toBe(expected);
      latenciesMs.push(Math.round(performance.now() - written));
      seen.push(expected);
    }
    expect(seen).toEqual([10, 30, 55, 75]);
    const list = page.getByRole('table', { name: 'All jobs' });
    await expect.poll(() => list.getByRole('row').count()).toBe(3);
    await expect
      .poll(() =>
        list.getByRole('progressbar', { name: 'Import customers' }).getAttribute('aria-valuenow'),
      )
      .toBeNull();
    console.info(`write → screen latency (ms): ${latenciesMs.join(', ')}`);

    await page.screenshot({
      path: join(RESULTS, 'live-progress-light.png'),
      fullPage: true,
      animations: 'disabled',
    });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({
      path: join(RESULTS, 'live-progress-dark.png'),
      fullPage: true,
      animations: 'disabled',
    });
    // The system's scheme, unless data-progressrus-theme on an ancestor forces one.
    const background = (theme: string | null) =>
      page.evaluate((forced) => {
        const outer = document.createElement('div');
        if (forced) outer.dataset.progressrusTheme = forced;
        const inner = outer.appendChild(document.createElement('div'));
        inner.style.background = 'var(--progressrus-bg)';
        document.body.append(outer);
        const colour = getComputedStyle(inner).backgroundColor;
        outer.remove();
        return colour;
      }, theme);
    expect(await background(null)).toBe('rgb(19, 19, 22)');
    expect(await background('light')).toBe('rgb(255, 255, 255)');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background(null)).toBe('rgb(255, 255, 255)');
    expect(await background('dark')).toBe('rgb(19, 19, 22)');
    await page.emulateMedia({ colorScheme: 'dark' });

    job.tick(50);
    await job.complete();
    await expect.poll(() => valueNow(page), { timeout: 10_000 }).toBe(100);
    await expect
      .poll(
        () => page.getByRole('region', { name: 'Current job' }).getByText('Completed').count(),
        {
          timeout: 10_000,
        },
      )
      .toBe(1);

    expect(navigations).toBe(1);
    expect(
      await page.evaluate(() => (window as unknown as { loadMarker?: string }).loadMarker),
    ).toBe('first load');
    await page.close();
    await other.complete();
  });

  it('picks the stream up again after the connection drops', async () => {
    const store = new RedisStore({ connection: redis });
    const scope = ['user', 'reconnect'];
    const job = new Progresser({
      scope,
      id: 'sync',
      name: 'Sync',
      total: 10,
      store,
      intervalMs: 60_000,
    });
    job.tick(1);
    await job.flush();
    const { page, navigations } = await openPage('/api/progress', scope, 'sync');
    await expect.poll(() => valueNow(page), { timeout: 15_000 }).toBe(10);
    await expect.poll(() => connection(page)).toBe('live');

    const streams = () =>
      server.apiRequests.filter((request) => request.path === '/api/progress/events');
    const before = streams().length;
    server.dropConnections();
    job.tick(4);
    await job.flush();
    // The browser reconnects with Last-Event-ID and receives what it missed.
    await expect.poll(() => valueNow(page), { timeout: 15_000 }).toBe(50);
    await expect.poll(() => connection(page)).toBe('live');
    const resumed = streams().slice(before);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]?.lastEventId).toMatch(/\S/);
    expect(navigations.count).toBe(1);
    await page.close();
    await job.complete();
  });

  it('polls, and still moves the bar, when the server has no event stream', async () => {
    const store = new RedisStore({ connection: redis });
    const scope = ['user', 'polled'];
    const job = new Progresser({
      scope,
      id: 'report',
      name: 'Report',
      total: 4,
      store,
      intervalMs: 60_000,
    });
    job.tick(1);
    await job.flush();
    const { page, navigations } = await openPage('/api/polled', scope, 'report');
    await expect.poll(() => valueNow(page), { timeout: 15_000 }).toBe(25);
    await expect.poll(() => connection(page), { timeout: 15_000 }).toBe('polling');

    job.tick(2);
    await job.flush();
    await expect.poll(() => valueNow(page), { timeout: 15_000 }).toBe(75);
    expect(navigations.count).toBe(1);
    await page.close();
    await job.complete();
  });
});
