import { Queue, type QueueOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, inject } from 'vitest';
import { RedisStore, type Scope, type Store, type Tick } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';

/**
 * Real BullMQ queues and a RedisStore on the run's redis-server, each test with its own queue
 * names and key prefix; whatever a test opens is closed after it, newest first.
 */
export function bullmqContext() {
  const redisUrl = inject('redisUrl');
  const redis = connectRedis();
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    redisUrl,
    redis,
    /** BullMQ connection options for a worker or queue. */
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    /** Runs `close` after the test. */
    onCleanup(close: () => Promise<unknown>): void {
      closers.push(close);
    },
    queue(prefix: string, options: Partial<QueueOptions> = {}): Queue {
      const queue = new Queue(uniquePrefix(prefix), { connection: { url: redisUrl }, ...options });
      closers.push(() => queue.obliterate({ force: true }).then(() => queue.close()));
      return queue;
    },
    /** A RedisStore with a prefix of its own, on a connection of its own. */
    store(): RedisStore {
      const connection = new Redis(redisUrl);
      closers.push(() => connection.quit());
      return new RedisStore({ connection, prefix: uniquePrefix('bullmq') });
    },
  };
}

/** Resolves when `check` returns a truthy value, polling every 20 ms; rejects after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The record once it reads completed or failed. The completion of a job is written after
 * BullMQ has the job back (the write is not awaited by the job), so a test waits for it.
 */
export function finishedRecord(store: Store, scope: Scope, id: string): Promise<Tick> {
  return until(() => store.find(scope, id).then((tick) => (tick?.finished ? tick : null)));
}

/** Drops the connection that Redis knows by `name` (ioredis reconnects it by itself). */
export async function killClientNamed(redis: Redis, name: string): Promise<void> {
  const list = (await redis.client('LIST')) as string;
  const line = list.split('\n').find((each) => each.includes(` name=${name} `));
  const clientId = line?.match(/^id=(\d+) /)?.[1];
  if (clientId === undefined) throw new Error(`No client named ${name}`);
  await redis.client('KILL', 'ID', clientId);
}
