import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { Progresser } from '../../src/core/progresser.js';
import { RedisStore } from '../../src/stores/redis/redis-store.js';
import { uniquePrefix } from '../helpers.js';
import { cliIO } from './cli-helpers.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());

function setup(name: string) {
  const prefix = uniquePrefix(name);
  const store = new RedisStore({ connection: redis, prefix });
  const job = (id: string, total: number | null) =>
    new Progresser({ scope: ['user', 1], id, total, store, intervalMs: 5000 });
  return { prefix, store, job };
}

// Strips the terminal's control sequences to read what a person sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const visible = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('progressrus watch (not a terminal)', () => {
  it('prints a plain line per change and returns once every job finished with --until-done', async () => {
    const { prefix, job } = setup('watch-plain');
    const io = cliIO({ REDIS_URL: inject('redisUrl') });
    const watching = runCli(['watch', 'user:1', '--until-done', '--prefix', prefix], io);
    await io.stdout.until(/No jobs in user:1 yet, waiting…\n/);
    const progress = job('imports:1', 40);
    for (let i = 0; i < 4; i += 1) {
      progress.tick(10);
      await progress.flush();
      await io.stdout.until(new RegExp(`imports:1  running  ${(i + 1) * 25}`));
    }
    await progress.complete();
    expect(await watching).toBe(0);
    const lines = io.stdout.lines;
    expect(lines[0]).toBe('No jobs in user:1 yet, waiting…');
    expect(
      lines
        .filter((line) => line.startsWith('imports:1  running'))
        .map((line) => line.split('  ')[3]),
    ).toEqual(['10/40', '20/40', '30/40', '40/40']);
    expect(lines.at(-2)).toMatch(/^imports:1 {2}completed {2}100% {2}40\/40 {2}in \d+s$/);
    expect(lines.at(-1)).toBe('user:1: 1 completed');
    expect(io.stdout.text).not.toContain('\x1b');
  });

  it('stops and returns 0 when interrupted', async () => {
    const { prefix, job } = setup('watch-abort');
    const progress = job('forever', null);
    progress.tick(3);
    await progress.flush();
    const io = cliIO({ REDIS_URL: inject('redisUrl') });
    const watching = runCli(['watch', 'user:1', '--prefix', prefix], io);
    await io.stdout.until(/forever {2}running {2}— {2}3/);
    io.abort();
    expect(await watching).toBe(0);
    expect(io.stdout.lines.at(-1)).toBe('user:1: 1 running');
    await progress.complete();
  });
});

describe('progressrus watch (on a terminal)', () => {
  it('redraws bars in place, within the width, and restores the cursor on exit', async () => {
    const { prefix, job } = setup('watch-tty');
    const progress = job('imports:1', 100);
    progress.tick(25);
    await progress.flush();
    const io = cliIO({ REDIS_URL: inject('redisUrl') }, { isTTY: true, columns: 80, rows: 10 });
    const watching = runCli(['watch', 'user:1', '--prefix', prefix], io);
    await io.stdout.until(/25\.0%/);
    progress.tick(25);
    await progress.flush();
    await io.stdout.until(/50\.0%/);
    io.abort();
    expect(await watching).toBe(0);
    const text = io.stdout.text;
    expect(text.startsWith('\x1b[?25l')).toBe(true);
    expect(text.endsWith('\x1b[?25h')).toBe(true);
    // Each frame after the first moves back over the previous one: header + one job = 2 lines.
    expect(text).toContain('\r\x1b[2A');
    const frames = visible(text)
      .split('\n')
      .filter((line) => line !== '');
    expect(frames.every((line) => line.length < 80)).toBe(true);
    expect(frames).toContainEqual(
      expect.stringMatching(/^user:1 {2}1 running {2}\(Ctrl-C to quit\)$/),
    );
    // The job's pace (a sparkline of its history) may stand before the status, and then the
    // bar gives it room at 80 columns.
    expect(frames).toContainEqual(
      expect.stringMatching(/^imports:1 +(\[█+▌? +\] +)?50\.0% +50\/100 +\S+\/\S+ +ETA \S+ +(\S+ +)?running$/),
    );
    await progress.complete();
  });

  it('fits the list to the height of the terminal and says how many are not shown', async () => {
    const { prefix, job } = setup('watch-rows');
    await Promise.all(Array.from({ length: 8 }, (_, i) => job(`job-${i}`, 10).complete()));
    const io = cliIO({ REDIS_URL: inject('redisUrl') }, { isTTY: true, columns: 80, rows: 6 });
    const watching = runCli(['watch', 'user:1', '--prefix', prefix, '--until-done'], io);
    expect(await watching).toBe(0);
    const frame = visible(io.stdout.text)
      .split('\n')
      .filter((line) => line !== '');
    expect(frame[0]).toMatch(/^user:1 {2}8 completed/);
    expect(frame.filter((line) => line.startsWith('job-'))).toHaveLength(4);
    expect(frame.at(-1)).toBe('… 4 more not shown');
  });
});
