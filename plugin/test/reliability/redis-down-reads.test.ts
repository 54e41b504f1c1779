import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Progresser, RedisStore, StoreError } from '../../src/index.js';
import { type RedisServer, startRedisServer } from '../../src/testing/redis-server.js';
import { uniquePrefix } from '../helpers.js';

/**
 * Reads from a RedisStore whose redis-server has been stopped: each must fail with a
 * StoreError naming the store, instead of waiting on ioredis' retries (for ever with
 * `maxRetriesPerRequest: null`, the setting BullMQ requires: without the read timeout these
 * tests would hang until vitest's own timeout).
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function storeOnStoppedRedis(
  redisOptions: RedisOptions,
  readTimeoutMs?: number,
): Promise<{ store: RedisStore; prefix: string; errors: Error[] }> {
  const server: RedisServer = await startRedisServer();
  const connection = new Redis(server.url, redisOptions);
  const errors: Error[] = [];
  connection.on('error', (error: Error) => errors.push(error));
  cleanups.push(() => connection.disconnect());
  if (connection.status !== 'ready')
    await new Promise((resolve) => connection.once('ready', resolve));
  const prefix = uniquePrefix('down');
  const store = new RedisStore({
    connection,
    prefix,
    ...(readTimeoutMs === undefined ? {} : { readTimeoutMs }),
  });
  // A record is written while Redis is up, so the reads below would find something.
  const progress = new Progresser({ scope: ['user', 1], id: 'job-1', total: 1, store });
  await progress.complete();
  expect(await store.find(['user', 1], 'job-1')).not.toBeNull();
  await server.stop();
  return { store, prefix, errors };
}

describe('RedisStore with its Redis down', () => {
  it('fails find(), scope() and scopes() with a StoreError naming the store when commands wait for ever', async () => {
    const { store, prefix, errors } = await storeOnStoppedRedis(
      { maxRetriesPerRequest: null },
      300,
    );
    const reads = [
      ['find()', () => store.find(['user', 1], 'job-1')],
      ['scope()', () => store.scope(['user', 1])],
      ['scopes()', () => store.scopes()],
      ['scopes()', () => store.scopes({ prefix: 'user:' })],
    ] as const;
    for (const [operation, read] of reads) {
      const error = await read().then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(StoreError);
      const escaped = operation.replace(/[()]/g, '\\$&');
      expect((error as StoreError).message).toMatch(
        new RegExp(
          `^RedisStore "${prefix}": ${escaped} got no answer from Redis within 300 ms \\(connection (connecting|reconnecting)\\)$`,
        ),
      );
    }
    // The connection's own errors reached the app's listener (no "Unhandled error event").
    expect(errors.length).toBeGreaterThan(0);
  });

  it('passes on an immediate failure as a StoreError with the cause', async () => {
    const { store, prefix } = await storeOnStoppedRedis({ enableOfflineQueue: false });
    // Let ioredis notice the closed socket; with no offline queue it refuses commands at once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await store.scope(['user', 1]).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      new RegExp(
        `^RedisStore ${JSON.stringify(prefix)}: scope\\(\\) failed: .+ \\(connection \\w+\\)$`,
      ),
    );
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });

  it('refuses a readTimeoutMs that is not an integer ≥ 0', () => {
    const connection = new Redis({ lazyConnect: true });
    expect(() => new RedisStore({ connection, readTimeoutMs: -1 })).toThrow(
      'Expected `readTimeoutMs` to be an integer ≥ 0, got `-1`',
    );
  });
});
