import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { REPO_DIR } from '../src/start/paths.js';
import { descendants, isRunning, type ProcessInfo } from './process-tree.js';

/** The environment of a fresh shell: no REDIS_URL, no credentials, no port chosen. */
function freshEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'REDIS_URL',
    'ADMIN_USER',
    'ADMIN_PASSWORD',
    'PORT',
    'NODE_ENV',
    'PROGRESSRUS_PREFIX',
  ]) {
    delete env[name];
  }
  // vitest's own variables would leak into the children.
  for (const name of Object.keys(env))
    if (name.startsWith('VITEST') || name === 'TEST') delete env[name];
  return { ...env, ...extra };
}

const started: ChildProcess[] = [];

/** Runs a command in a process group of its own, as a terminal does, so SIGINT to the group is Ctrl-C. */
function startInGroup(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, {
    cwd: REPO_DIR,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    exited,
    output: () => output,
    /** Waits for the banner, then reads the URL and credentials from it. */
    async banner(): Promise<{ url: string; portal: string; user: string; password: string }> {
      while (!/Press Ctrl-C to stop/.test(output)) {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return {
        url: /Dashboard +(http:\/\/\S+)/.exec(output)?.[1] ?? '',
        portal: /Portal +(http:\/\/\S+)/.exec(output)?.[1] ?? '',
        user: /User +(\S+)/.exec(output)?.[1] ?? '',
        password: /Password +(\S+)/.exec(output)?.[1] ?? '',
      };
    },
  };
}

afterAll(async () => {
  // Only when a test failed half-way: stop the run as Ctrl-C would, then kill what is left.
  for (const child of started) {
    const pid = child.pid;
    if (pid === undefined || !isRunning(pid)) continue;
    const tree = descendants(pid);
    process.kill(-pid, 'SIGINT');
    for (let i = 0; i < 100 && isRunning(pid); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 200));
    for (const info of [{ pid }, ...tree])
      if (isRunning(info.pid)) process.kill(info.pid, 'SIGKILL');
  }
});

describe('npm start', () => {
  it('starts Redis, the admin, the portal and the demo, serves demo jobs, and leaves no process behind on Ctrl-C', async () => {
    const run = startInGroup('npm', ['start'], freshEnv());
    const { url, portal, user, password } = await run.banner();
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    // The portal's URL comes right under the dashboard's.
    expect(run.output()).toMatch(
      /Dashboard +http:\/\/localhost:\d+\n +Portal +http:\/\/localhost:\d+ /,
    );
    expect(portal).toMatch(/^http:\/\/localhost:\d+$/);
    expect(portal).not.toBe(url);
    expect(user).toBe('admin');
    expect(password).toMatch(/^[\w-]{16}$/);
    expect(run.output()).toMatch(/Password +\S+ +\(made for this run\)/);
    expect(run.output()).toMatch(
      /Redis +redis:\/\/127\.0\.0\.1:\d+ +\(private to this run, gone on exit\)/,
    );

    // The dashboard refuses a visitor without the credentials…
    expect((await fetch(`${url}/`)).status).toBe(401);
    // …and, with them, lists the demo's users once their first jobs have written.
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    let scopes: string[] = [];
    while (scopes.length < 3) {
      const response = await fetch(`${url}/api/progress/scopes`, { headers: { authorization } });
      expect(response.status).toBe(200);
      scopes = ((await response.json()) as { items: { key: string }[] }).items.map(
        (item) => item.key,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(scopes.every((key) => /^user:[1-7]$/.test(key))).toBe(true);
    const page = await fetch(`${url}/`, { headers: { authorization } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(scopes[0]);
    // The portal: its sign-in says it is a demo, and a user's scope in the admin links to it.
    const signIn = await fetch(`${portal}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('This is a demo: there is no password.');
    const scopePage = await fetch(`${url}/scopes/user%3A3`, { headers: { authorization } });
    expect(await scopePage.text()).toContain(`href="${portal}/sign-in?user=3"`);

    const tree: ProcessInfo[] = descendants(run.child.pid as number);
    const redis = tree.find((info) => info.command.startsWith('redis-server'));
    expect(redis).toBeDefined();
    // Two production servers: the admin and the portal.
    expect(tree.filter((info) => info.command.startsWith('next-server'))).toHaveLength(2);
    // redis-server renames its process, but it runs in its data folder.
    const redisDir = readlinkSync(`/proc/${redis?.pid}/cwd`);
    expect(redisDir).toMatch(/progressrus-redis-/);

    process.kill(-(run.child.pid as number), 'SIGINT');
    expect(await run.exited).toBe(0);
    expect(tree.filter((info) => isRunning(info.pid))).toEqual([]);
    expect(existsSync(redisDir)).toBe(false);
    expect(run.output()).toContain('Stopping…');
  }, 600_000);

  it('uses REDIS_URL when it is set, and the credentials of ADMIN_USER and ADMIN_PASSWORD', async () => {
    const redisUrl = inject('redisUrl');
    const run = startInGroup(
      'npm',
      ['start'],
      freshEnv({ REDIS_URL: redisUrl, ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct-horse' }),
    );
    const { url } = await run.banner();
    expect(run.output()).toMatch(
      /User +ops\n +Password +correct-horse +\(from ADMIN_USER \/ ADMIN_PASSWORD\)/,
    );
    expect(run.output()).toMatch(new RegExp(`Redis +${redisUrl}\\n`));
    const authorization = `Basic ${Buffer.from('ops:correct-horse').toString('base64')}`;
    expect((await fetch(`${url}/`, { headers: { authorization } })).status).toBe(200);
    const tree = descendants(run.child.pid as number);
    expect(tree.some((info) => info.command.startsWith('redis-server'))).toBe(false);
    process.kill(-(run.child.pid as number), 'SIGINT');
    expect(await run.exited).toBe(0);
    expect(tree.filter((info) => isRunning(info.pid))).toEqual([]);
  }, 300_000);

  it('says how to install Redis and exits 1 when there is no REDIS_URL and no redis-server', async () => {
    // The PATH as it is, minus redis-server: a folder of links to every other program on it.
    const bin = mkdtempSync(join(tmpdir(), 'progressrus-no-redis-'));
    try {
      for (const dir of (process.env.PATH ?? '').split(':')) {
        for (const name of existsSync(dir) ? readdirSync(dir) : []) {
          if (name.startsWith('redis-server') || existsSync(join(bin, name))) continue;
          symlinkSync(join(dir, name), join(bin, name));
        }
      }
      const run = startInGroup(
        process.execPath,
        ['--import', 'tsx', 'apps/demo/src/start.ts'],
        freshEnv({ PATH: bin }),
      );
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain('sudo apt-get install redis-server');
      expect(run.output()).toContain('brew install redis');
      expect(run.output()).toContain('docker compose up -d redis');
      expect(run.output()).not.toContain('Dashboard');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 300_000);
});
