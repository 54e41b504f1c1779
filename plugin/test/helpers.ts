import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';

/** A connection to the run's private redis-server, closed after the file's tests. */
export function connectRedis(): Redis {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: false });
  afterAll(() => redis.quit().then(() => undefined));
  return redis;
}

let counter = 0;
/** A key prefix no other test uses, so test files can share one server. */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `test-${name}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Counts commands as Redis receives them (MONITOR), filtered by a predicate on the command's
 * arguments. Counting on the server side proves what the client really sent.
 */
export async function monitorCommands(
  match: (args: string[], source: string) => boolean,
): Promise<{ count(): number; commands(): string[][]; stop(): Promise<void> }> {
  const monitor = await new Redis(inject('redisUrl')).monitor();
  const seen: string[][] = [];
  // source: the client's address, or 'lua' for a command a script ran.
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (match(args, source)) seen.push(args);
  });
  return {
    count: () => seen.length,
    commands: () => seen,
    stop: async () => {
      monitor.disconnect();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
