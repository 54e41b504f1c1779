import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { uniquePrefix } from '../helpers.js';
import { cliIO } from './cli-helpers.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());

/** A prefix of its own, a store on it, and a runner of CLI command lines against it. */
function setup(name: string) {
  const prefix = uniquePrefix(name);
  const store = new RedisStore({ connection: redis, prefix });
  const run = async (...argv: string[]) => {
    const io = cliIO({ REDIS_URL: inject('redisUrl') });
    const code = await runCli([...argv, '--prefix', prefix], io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text, lines: io.stdout.lines };
  };
  const job = (
    scope: (string | number)[],
    id: string,
    total: number | null,
    options: { name?: string; intervalMs?: number } = {},
  ) => new Progresser({ scope, id, total, store, intervalMs: 50, ...options });
  return { prefix, store, run, job };
}

describe('progressrus scopes', () => {
  it('lists scopes newest activity first, filtered by a prefix', async () => {
    const { run, job } = setup('scopes');
    for (const [scope, id] of [
      [['user', 1], 'a'],
      [['user', 2], 'b'],
      [['team', 9], 'c'],
    ] as const) {
      await job([...scope], id, 10).complete();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const all = await run('scopes');
    expect(all.code).toBe(0);
    expect(all.lines.map((line) => line.split('  ')[0])).toEqual(['team:9', 'user:2', 'user:1']);
    expect(all.lines[0]).toMatch(/^team:9 {2}\d+s ago$/);
    expect((await run('scopes', 'user:')).lines.map((line) => line.split('  ')[0])).toEqual([
      'user:2',
      'user:1',
    ]);
    expect((await run('scopes', '--limit', '1')).lines).toHaveLength(1);
    const json = (await run('scopes', 'team', '--json')).lines.map((line) => JSON.parse(line));
    expect(json).toEqual([
      {
        scope: ['team', '9'],
        key: 'team:9',
        lastActivityAt: expect.any(String),
        counts: expect.objectContaining({ completed: 1, running: 0 }),
        total: 1,
      },
    ]);
  });

  it('says so when no scope matches', async () => {
    const { run } = setup('scopes-empty');
    expect((await run('scopes', 'user:')).stdout).toBe('No scopes start with "user:".\n');
  });
});

describe('progressrus jobs', () => {
  it('prints one line per job with status, percentage, count, rate and ETA', async () => {
    const { run, job } = setup('jobs');
    // A long interval: a loaded machine may take longer than 3 × 50 ms between the write and
    // the CLI's read, and the job would read `stalled`.
    const running = job(['user', 3], 'imports:1', 200, { name: 'csv-import', intervalMs: 60_000 });
    running.tick(50);
    await running.flush();
    const unknown = job(['user', 3], 'exports:2', null, { intervalMs: 60_000 });
    unknown.tick(7);
    await unknown.flush();
    await job(['user', 3], 'billing:3', 10).fail(new Error('card declined'));
    const { code, lines } = await run('jobs', 'user:3');
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^csv-import \(imports:1\) {2}running {2}25\.0% {2}50\/200 {2}\S+ {2}ETA /,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^exports:2 {2}running {2}— {2}7 {2}/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^billing:3 {2}failed {2}0\.0% {2}0\/10 {2}in \d+s {2}\(card declined\)$/,
      ),
    );
    const json = (await run('jobs', 'user:3', '--json')).lines.map((line) => JSON.parse(line));
    expect(json.find((dto) => dto.id === 'imports:1')).toMatchObject({
      status: 'running',
      count: 50,
      total: 200,
      percentage: 25,
    });
    await running.complete();
    await unknown.complete();
  });

  it('says so when the scope is empty', async () => {
    const { run } = setup('jobs-empty');
    expect(await run('jobs', 'user:404')).toMatchObject({
      code: 0,
      stdout: 'No jobs in user:404.\n',
    });
  });
});

describe('progressrus delete', () => {
  it('deletes one job, then the whole scope', async () => {
    const { run, job, store } = setup('delete');
    await job(['user', 5], 'one', 1).complete();
    await job(['user', 5], 'two', 1).complete();
    expect(await run('delete', 'user:5', 'one')).toMatchObject({
      code: 0,
      stdout: 'Deleted job one of user:5.\n',
    });
    expect((await store.scope(['user', 5])).map((tick) => tick.id)).toEqual(['two']);
    expect(await run('delete', 'user:5')).toMatchObject({
      code: 0,
      stdout: 'Deleted scope user:5 (1 job).\n',
    });
    expect(await store.scope(['user', 5])).toEqual([]);
    expect((await store.scopes()).items).toEqual([]);
  });

  it('fails with exit code 1 when the job does not exist', async () => {
    const { run } = setup('delete-missing');
    expect(await run('delete', 'user:5', 'ghost')).toMatchObject({
      code: 1,
      stdout: 'No job "ghost" in user:5.\n',
    });
  });
});

describe('progressrus reindex', () => {
  it('rebuilds the scope index from the hashes, e.g. after the Ruby gem wrote them', async () => {
    const { run, job, store } = setup('reindex');
    await job(['user', 1], 'a', 1).complete();
    await job(['user', 2], 'b', 1).complete();
    await redis.del(store.keys.scopes, store.keys.names, store.keys.expiries);
    expect((await run('scopes')).stdout).toBe('No scopes.\n');
    expect(await run('reindex')).toMatchObject({ code: 0, stdout: 'Indexed 2 scopes.\n' });
    expect((await run('scopes')).lines.map((line) => line.split('  ')[0]).sort()).toEqual([
      'user:1',
      'user:2',
    ]);
  });
});

describe('progressrus (errors and help)', () => {
  it('fails with one friendly line and exit code 1 when Redis is unreachable', async () => {
    const io = cliIO({ REDIS_URL: 'redis://:secret@127.0.0.1:1' });
    const code = await runCli(['scopes'], io);
    expect(code).toBe(1);
    expect(io.stdout.text).toBe('');
    expect(io.stderr.lines).toEqual([
      'progressrus: Cannot reach Redis at redis://:***@127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1). Start Redis, or set REDIS_URL or --url.',
    ]);
  });

  it('prefers --url to REDIS_URL', async () => {
    const io = cliIO({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(
      await runCli(['scopes', '--url', inject('redisUrl'), '--prefix', uniquePrefix('url')], io),
    ).toBe(0);
  });

  it('prints usage with exit code 2 on a bad command line, without connecting', async () => {
    const io = cliIO({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await runCli(['jobs'], io)).toBe(2);
    expect(io.stderr.text).toBe(
      'progressrus: `jobs` takes 1 argument(s), got 0. Run `progressrus --help` for usage.\n',
    );
  });

  it('prints --help listing every command and option', async () => {
    const io = cliIO({});
    expect(await runCli(['--help'], io)).toBe(0);
    for (const word of [
      'scopes [prefix]',
      'jobs <scope>',
      'watch <scope>',
      'delete <scope> [id]',
      'reindex',
      '--prefix',
      'REDIS_URL',
    ]) {
      expect(io.stdout.text).toContain(word);
    }
  });
});
