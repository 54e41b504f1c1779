import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { Progresser, RedisStore } from 'progressrus';
import { Redis } from 'ioredis';
import { chromiumLaunchOptions } from 'progressrus/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type NextServer, startExpectingExit, startNextServer } from './next-server';

const admin = inject('admin');
const UNTIL = { timeout: 20_000 };
function auth(user = admin.user, password = admin.password): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function expectSecurityHeaders(response: Response, what: string): void {
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toMatch(/^(same-origin|no-referrer)$/);
  expect(response.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
}

let browser: Browser;
let connection: Redis;

beforeAll(async () => {
  connection = new Redis(admin.redisUrl, { maxRetriesPerRequest: null });
  const store = new RedisStore({ connection, prefix: admin.prefix });
  const job = new Progresser({
    scope: ['sec', 1],
    id: 'sec-job',
    total: 10,
    name: 'Sec job',
    store,
  });
  job.tick(3);
  await job.flush();
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  connection?.disconnect();
});

describe('admin security headers', () => {
  it('sends them on pages, the API, bull-board, refusals and not-found pages', async () => {
    for (const [path, headers, status] of [
      ['/', auth(), 200],
      ['/scopes/sec%3A1', auth(), 200],
      ['/scopes/sec%3A1/jobs/sec-job', auth(), 200],
      ['/no-such-page', auth(), 404],
      ['/api/progress/scopes', auth(), 200],
      ['/api/progress/nope', auth(), 404],
      ['/queues', auth(), 200],
      ['/queues/api/queues', auth(), 200],
      ['/', {}, 401],
      ['/queues/api/queues', {}, 401],
    ] as const) {
      const response = await fetch(`${admin.url}${path}`, { headers });
      expect(response.status, path).toBe(status);
      expectSecurityHeaders(response, path);
    }
  });

  it('gives pages a fresh script nonce per response, and bull-board no-store caching', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${admin.url}/`, { headers: auth() });
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("'strict-dynamic'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(await response.text()).toContain(`nonce="${nonce}"`);
      nonces.add(nonce as string);
    }
    expect(nonces.size).toBe(2);
    for (const path of ['/queues', '/queues/api/queues', '/queues/queue/e2e-imports']) {
      const response = await fetch(`${admin.url}${path}`, { headers: auth() });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('gives the build’s static files the base headers too', async () => {
    const html = await (await fetch(`${admin.url}/`, { headers: auth() })).text();
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(chunk).toBeTruthy();
    const response = await fetch(`${admin.url}${chunk}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('runs the pages and bull-board in Chromium without a single CSP violation', async () => {
    const context = await browser.newContext({
      baseURL: admin.url,
      httpCredentials: { username: admin.user, password: admin.password },
    });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`Refused to ${event.violatedDirective}: ${event.blockedURI}`);
      });
    });
    await page.goto('/');
    await page.getByRole('link', { name: 'sec:1', exact: true }).waitFor(UNTIL);
    // The theme toggle is a client component: a click saves a theme only once the page's
    // scripts ran; after a reload, the nonce'd inline script of the layout applies it.
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    const saved = () => page.evaluate(() => localStorage.getItem('progressrus-theme'));
    await expect
      .poll(async () => {
        await toggle.click();
        return saved();
      }, UNTIL)
      .not.toBeNull();
    const theme = await saved();
    await page.reload();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? null), UNTIL)
      .toBe(theme);
    await page.goto('/scopes/sec%3A1');
    await page.getByText('Live', { exact: true }).waitFor(UNTIL);
    await page.goto('/scopes/sec%3A1/jobs/sec-job');
    await page.getByRole('heading', { name: 'Sec job' }).waitFor(UNTIL);
    await page.goto('/scopes/%');
    await page.getByText('This scope or job does not exist').waitFor(UNTIL);
    await page.goto('/queues');
    await page.getByText(admin.queue).first().waitFor(UNTIL);
    await page
      .getByText('Loading...')
      .first()
      .waitFor({ ...UNTIL, state: 'hidden' });
    expect(violations).toEqual([]);
    await context.close();
  });

  it('cannot be framed by another site', async () => {
    // The probe's setup: a page of the same host on another port (same-site, another origin).
    const attacker = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<iframe id="victim" src="${admin.url}/scopes/sec%3A1"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext({
      httpCredentials: { username: admin.user, password: admin.password },
    });
    try {
      const page = await context.newPage();
      const messages: string[] = [];
      page.on('console', (message) => messages.push(message.text()));
      const { port } = attacker.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
      const frame = await (await page.locator('#victim').elementHandle())?.contentFrame();
      // Chromium replaces a refused frame with its error page: none of the admin is in it.
      expect(frame?.url()).toBe('chrome-error://chromewebdata/');
      expect(await frame?.evaluate(() => document.body?.textContent ?? '')).not.toContain('sec:1');
      expect(messages.join('\n')).toMatch(/frame-ancestors|X-Frame-Options/);
    } finally {
      await context.close();
      attacker.close();
    }
  });
});

describe('admin proxy path filter', () => {
  it('sends look-alikes of the skipped build paths through the proxy', async () => {
    for (const path of [
      '/favicon.icox',
      '/favicon.ico',
      '/faviconXico',
      '/_next/staticx',
      '/_next/static',
      '/_next/static-x/page',
      '/_next/imagex',
      '/_next/image',
    ]) {
      const response = await fetch(`${admin.url}${path}`);
      expect(response.status, path).toBe(401);
      const action = await fetch(`${admin.url}${path}`, {
        method: 'POST',
        headers: { 'next-action': 'abc', 'content-type': 'text/plain' },
        body: '[]',
      });
      expect(action.status, `POST ${path}`).toBe(401);
    }
  });
});

describe('admin Origin check', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${admin.url}/api/progress/scopes`, {
      method: 'POST',
      headers: { ...auth(), ...headers },
    });

  it('ignores a client-sent X-Forwarded-Host and compares the scheme too', async () => {
    const forged = await post({
      origin: 'http://evil.example',
      'x-forwarded-host': 'evil.example',
    });
    expect(forged.status).toBe(403);
    const otherScheme = await post({ origin: admin.url.replace('http:', 'https:') });
    expect(otherScheme.status).toBe(403);
    const forgedProto = await post({
      origin: admin.url.replace('http:', 'https:'),
      'x-forwarded-proto': 'https',
    });
    expect(forgedProto.status).toBe(403);
    // Same origin passes the proxy; the API itself then refuses the method.
    expect((await post({ origin: admin.url })).status).toBe(405);
  });
});

describe('admin malformed requests', () => {
  it('answers malformed percent-encoding with the right 4xx for each kind of path', async () => {
    for (const path of ['/scopes/%', '/scopes/%E0%A4%A', '/scopes/user%3A1/jobs/%ZZ']) {
      const response = await fetch(`${admin.url}${path}`, { headers: auth() });
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toContain('This scope or job does not exist');
    }
    const api = await fetch(`${admin.url}/api/progress/%`, { headers: auth() });
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({
      error: { code: 'bad_request', message: 'The path is not valid percent-encoding' },
    });
    const queues = await fetch(`${admin.url}/queues/%`, { headers: auth() });
    expect(queues.status).toBe(404);
    expect(await queues.text()).toBe('404 Not Found');
    expectSecurityHeaders(queues, '/queues/%');
  });
});

describe('admin with Redis down, and its login throttle (a server of its own)', () => {
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:1',
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      PROGRESSRUS_QUEUES: 'down-queue',
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers TRACE with a quiet 405', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/`, { method: 'TRACE' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
    expect(server.output()).not.toMatch(/TRACE|TypeError/);
  });

  it('bounds bull-board API calls and says Redis cannot be reached, like the pages', async () => {
    for (const path of ['/queues/api/queues', '/queues/api/redis/stats']) {
      // A safety bound only: the route itself gives up after a few seconds.
      const response = await fetch(`${server.url}${path}`, {
        headers: auth(),
        signal: AbortSignal.timeout(14_000),
      });
      expect(response.status, path).toBe(503);
      const body = (await response.json()) as { message: string };
      expect(body.message).toBe('Cannot reach Redis at redis://127.0.0.1:1.');
    }
    const page = await (await fetch(`${server.url}/`, { headers: auth() })).text();
    expect(page).toContain('Cannot reach Redis at redis://127.0.0.1:1.');
  });

  it('throttles failed sign-ins per address: 429 with Retry-After, whatever X-Forwarded-For says', async () => {
    // Successes never count, however many.
    for (let i = 0; i < 25; i += 1) {
      expect((await fetch(`${server.url}/favicon.ico`, { headers: auth() })).status).not.toBe(429);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const wrong = await fetch(`${server.url}/`, {
        headers: { ...auth(admin.user, `wrong-${i}`), 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(wrong.status);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const blocked = await fetch(`${server.url}/`, {
      headers: { ...auth(admin.user, 'wrong-again'), 'x-forwarded-for': '198.51.100.77' },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expectSecurityHeaders(blocked, '429');
    // No oracle while blocked: the right password gets the same 429.
    expect((await fetch(`${server.url}/`, { headers: auth() })).status).toBe(429);
  });
});

describe('admin behind a trusted proxy (TRUST_PROXY=1)', () => {
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({
      NODE_ENV: 'production',
      REDIS_URL: admin.redisUrl,
      PROGRESSRUS_PREFIX: admin.prefix,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      TRUST_PROXY: '1',
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts failures per forwarded address, and checks Origin against the forwarded origin', async () => {
    const from = (address: string, password: string) =>
      fetch(`${server.url}/`, {
        headers: { ...auth(admin.user, password), 'x-forwarded-for': `203.0.113.250, ${address}` },
      });
    for (let i = 0; i < 10; i += 1) expect((await from('192.0.2.1', 'wrong')).status).toBe(401);
    expect((await from('192.0.2.1', 'wrong')).status).toBe(429);
    expect((await from('192.0.2.2', admin.password)).status).toBe(200);

    const post = (origin: string) =>
      fetch(`${server.url}/api/progress/scopes`, {
        method: 'POST',
        headers: {
          ...auth(),
          origin,
          'x-forwarded-for': '192.0.2.3',
          'x-forwarded-host': 'admin.example',
          'x-forwarded-proto': 'https',
        },
      });
    expect((await post('https://admin.example')).status).toBe(405);
    expect((await post('http://admin.example')).status).toBe(403);
  });
});

describe('admin start in production', () => {
  it('refuses an admin password shorter than 12 characters, saying why', async () => {
    const result = await startExpectingExit({
      NODE_ENV: 'production',
      REDIS_URL: admin.redisUrl,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: 'short-pass1',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('ADMIN_PASSWORD must be at least 12 characters in production');
  });
});
