import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { uniquePrefix } from '../helpers.js';

const PLUGIN_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The real bin as a child process, from source (tsx) so the test needs no build. */
function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: PLUGIN_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async until(match: RegExp): Promise<void> {
      while (!match.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`exited early: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('progressrus bin', () => {
  it('exits 1 with one friendly line when Redis is unreachable', async () => {
    const cli = startCli(['jobs', 'user:1'], { REDIS_URL: 'redis://127.0.0.1:1' });
    children.push(cli.child);
    expect(await cli.exited).toBe(1);
    expect(cli.stdout()).toBe('');
    expect(cli.stderr()).toMatch(
      /^progressrus: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(connect ECONNREFUSED[^\n]*\n$/,
    );
  });

  it('watches with plain lines through a pipe and stops cleanly on SIGINT', async () => {
    const redis = new Redis(inject('redisUrl'));
    const prefix = uniquePrefix('bin-watch');
    const store = new RedisStore({ connection: redis, prefix });
    const progress = new Progresser({
      scope: ['user', 7],
      id: 'exports:1',
      total: 10,
      store,
      intervalMs: 5000,
    });
    progress.tick(4);
    await progress.flush();
    const cli = startCli(['watch', 'user:7', '--prefix', prefix], {
      REDIS_URL: inject('redisUrl'),
    });
    children.push(cli.child);
    await cli.until(/exports:1 {2}running {2}40\.0% {2}4\/10/);
    progress.tick(3);
    await progress.flush();
    await cli.until(/exports:1 {2}running {2}70\.0% {2}7\/10/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).not.toContain('\x1b');
    expect(cli.stdout().trim().split('\n').at(-1)).toBe('user:7: 1 running');
    expect(cli.stderr()).toBe('');
    await progress.complete();
    await redis.quit();
  });
});
