import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CancelListener } from '../../src/bullmq/cancel-listener.js';
import { CANCEL_REQUEST_KEEP_MS, sendCancelRequest } from '../../src/bullmq/cancel-requests.js';
import { cancelChannel, cancelRequestsKey } from '../../src/stores/redis/redis-keys.js';
import { connectRedis, monitorCommands, uniquePrefix } from '../helpers.js';
import { killClientNamed, until } from './bullmq-context.js';

const redisUrl = inject('redisUrl');
const redis = connectRedis();
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listener for a queue of its own that holds `held` jobs; its periodic sweep is 10 min away. */
async function listen(held: string[], reconnectMs?: number) {
  const queue = uniquePrefix('cancels');
  const channel = cancelChannel('bull', queue);
  const applied: [jobId: string, atMs: number][] = [];
  const errors: Error[] = [];
  const listener = new CancelListener(
    {
      open: () =>
        new Redis(redisUrl, {
          connectionName: channel,
          ...(reconnectMs === undefined ? {} : { retryStrategy: () => reconnectMs }),
        }),
      client: async () => ({
        runCommand: (name: string, args: unknown[]) => redis.call(name, ...(args as string[])),
      }),
      heldJobIds: () => held,
      apply: (jobId, atMs) => applied.push([jobId, atMs]),
      onError: (error) => errors.push(error),
    },
    { channel, requestsKey: cancelRequestsKey('bull', queue), sweepMs: 600_000 },
  );
  cleanups.push(() => listener.close());
  await listener.ready;
  const send = (jobId: string, atMs: number) =>
    sendCancelRequest(redis, 'bull', queue, { jobId, id: `${queue}:${jobId}`, atMs });
  return { queue, channel, listener, applied, errors, send };
}

describe('CancelListener', () => {
  it('hands over a published request at once, and on a sweep the kept requests of the jobs it holds, in one command', async () => {
    const { queue, listener, applied, errors, send } = await listen(['1', '2']);
    const now = Date.now();
    expect(await send('1', now)).toBe(1);
    await until(() => applied.length === 1);
    expect(applied).toEqual([['1', now]]);
    await send('3', now + 1); // not held here

    applied.length = 0;
    const zmscores = await monitorCommands(
      (args) =>
        args[0]?.toLowerCase() === 'zmscore' && args[1] === cancelRequestsKey('bull', queue),
    );
    cleanups.push(() => zmscores.stop());
    await listener.sweep();
    expect(applied).toEqual([['1', now]]);
    // MONITOR reports a command a little after it ran.
    await until(() => zmscores.count() === 1);
    expect(errors).toEqual([]);
  });

  it('sends no command on a sweep while it holds no job', async () => {
    const { queue, listener, send } = await listen([]);
    const key = cancelRequestsKey('bull', queue);
    const zmscores = await monitorCommands(
      (args) => args[0]?.toLowerCase() === 'zmscore' && args[1] === key,
    );
    cleanups.push(() => zmscores.stop());
    await send('1', Date.now());
    await listener.sweep();
    // A marker command after the sweep: once MONITOR shows it, it has shown all before it.
    await redis.call('zmscore', key, 'marker');
    await until(() => zmscores.commands().some((args) => args[2] === 'marker'));
    expect(zmscores.count()).toBe(1);
  });

  it('applies a request published while its connection was down as soon as it has subscribed again', async () => {
    // Back 1 s after a drop: the request below is published while nobody listens.
    const { channel, applied, send } = await listen(['7'], 1000);
    await killClientNamed(redis, channel);
    const atMs = Date.now();
    expect(await send('7', atMs)).toBe(0);
    await until(() => applied.length > 0);
    expect(applied).toEqual([['7', atMs]]);
  });

  it('keeps a request a day: older ones go when a new one comes, and the set expires a day after the last', async () => {
    const { queue, send } = await listen([]);
    const now = Date.now();
    await send('old', now - CANCEL_REQUEST_KEEP_MS - 1);
    await send('recent', now - CANCEL_REQUEST_KEEP_MS + 60_000);
    await send('new', now);
    const key = cancelRequestsKey('bull', queue);
    expect(await redis.zrange(key, '0', '-1')).toEqual(['recent', 'new']);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(CANCEL_REQUEST_KEEP_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(CANCEL_REQUEST_KEEP_MS);
  });
});
