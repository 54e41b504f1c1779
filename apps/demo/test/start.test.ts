import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../src/start/paths.js';
import { descendants, isRunning, type ProcessInfo } from './process-tree.js';

/** The environment of a fresh shell: no REDIS_URL, no credentials, no port chosen. */
function freshEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'REDIS_URL',
    'ADMIN_USER',
    'ADMIN_PASSWORD',
    'PORT',
    'NODE_ENV',
    'PROGRESSRUS_PREFIX',
  ])
    delete env[name];
  // vitest's own variables would leak into the children.
  for (const name of Object.keys(env))
    if (name.startsWith('VITEST') || name === 'TEST') delete env[name];
  return env;
}

describe('npm start', () => {
  let npm: ChildProcess | undefined;
  afterAll(async () => {
    // Only when the test failed half-way: stop the run as Ctrl-C would, then kill what is left.
    const pid = npm?.pid;
    if (pid === undefined || !isRunning(pid)) return;
    const tree = descendants(pid);
    process.kill(-pid, 'SIGINT');
    for (let i = 0; i < 100 && isRunning(pid); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 200));
    for (const info of [{ pid }, ...tree])
      if (isRunning(info.pid)) process.kill(info.pid, 'SIGKILL');
  });

  it('starts Redis, the admin and the demo, serves demo jobs, and leaves no process behind on Ctrl-C', async () => {
    // Its own process group, as in a terminal, so that SIGINT to the group is exactly Ctrl-C.
    const child = spawn('npm', ['start'], {
      cwd: REPO_DIR,
      env: freshEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm = child;
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

    while (!/Press Ctrl-C to stop/.test(output)) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const url = /Dashboard +(http:\/\/\S+)/.exec(output)?.[1];
    const user = /User +(\S+)/.exec(output)?.[1];
    const password = /Password +(\S+) +\(made for this run\)/.exec(output)?.[1];
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(user).toBe('admin');
    expect(password).toMatch(/^[\w-]{16}$/);
    expect(output).toMatch(
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

    const tree: ProcessInfo[] = descendants(child.pid as number);
    const redis = tree.find((info) => info.command.startsWith('redis-server'));
    expect(redis).toBeDefined();
    expect(
      tree.some((info) => info.command.includes('next') && /node|next-server/.test(info.command)),
    ).toBe(true);
    // redis-server renames its process, but it runs in its data folder.
    const redisDir = readlinkSync(`/proc/${redis?.pid}/cwd`);
    expect(redisDir).toMatch(/progressrus-redis-/);
    expect(existsSync(redisDir)).toBe(true);

    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    const left = tree.filter((info) => isRunning(info.pid));
    expect(left).toEqual([]);
    expect(existsSync(redisDir)).toBe(false);
    expect(output).toContain('Stopping…');
  }, 600_000);
});
