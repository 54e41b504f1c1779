import { describe, expect, inject, it } from 'vitest';
import { childPids, startExpectingExit, startNextServer } from './next-server';

const admin = inject('admin');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('serve.mjs: the admin in WEB_CONCURRENCY processes', () => {
  it('serves from that many processes on one port, and SIGTERM to the first stops them all', async () => {
    const server = await startNextServer({
      REDIS_URL: admin.redisUrl,
      PROGRESSRUS_PREFIX: admin.prefix,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      WEB_CONCURRENCY: '2',
    });
    const primary = server.process.pid as number;
    try {
      const workers = childPids(primary);
      expect(workers).toHaveLength(2);
      const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
      // Keep-alive off: every request a new connection, which the cluster hands out in turn.
      const pages = await Promise.all(
        Array.from({ length: 6 }, () =>
          fetch(`${server.url}/`, { headers: { authorization, connection: 'close' } }),
        ),
      );
      expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 200, 200]);
      // What a supervisor does (Docker signals only the container's first process).
      const exited = new Promise((resolve) => server.process.once('exit', resolve));
      process.kill(primary, 'SIGTERM');
      await exited;
      await expect.poll(() => workers.filter(alive), { timeout: 10_000 }).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('refuses a WEB_CONCURRENCY that is not a whole number of processes, saying so', async () => {
    const result = await startExpectingExit({
      REDIS_URL: admin.redisUrl,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      WEB_CONCURRENCY: 'lots',
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('WEB_CONCURRENCY must be a whole number from 1 to 64, got "lots"');
  });

  it('stops every process when one of them cannot start (here: no credentials in production)', async () => {
    const result = await startExpectingExit({ REDIS_URL: admin.redisUrl, WEB_CONCURRENCY: '2' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('ADMIN_USER and ADMIN_PASSWORD are required in production');
  });
});
