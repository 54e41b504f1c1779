import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from 'progressrus/testing';

/**
 * What every benchmark shares: one private redis-server for the run (started on first use),
 * connections closed at the end, and key prefixes no other benchmark uses.
 */
export class BenchContext {
  #server: Promise<RedisServer> | null = null;
  readonly #connections: Redis[] = [];
  #counter = 0;
  #admin: Promise<Redis> | null = null;

  async redisUrl(): Promise<string> {
    this.#server ??= startRedisServer();
    return (await this.#server).url;
  }

  /** A new connection to the run's server, closed by `close()`. */
  async redis(options: { maxRetriesPerRequest?: number | null } = {}): Promise<Redis> {
    const redis = new Redis(await this.redisUrl(), options);
    this.#connections.push(redis);
    return redis;
  }

  /** One shared connection for INFO, MEMORY and the like, apart from what is measured. */
  admin(): Promise<Redis> {
    this.#admin ??= this.redis();
    return this.#admin;
  }

  /** A key prefix (or queue name) no other part of the run uses. */
  unique(name: string): string {
    this.#counter += 1;
    return `bench-${name}-${this.#counter}`;
  }

  /** Progress goes to stderr so that stdout holds only the table. */
  log(message: string): void {
    process.stderr.write(`  ${message}\n`);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#connections.map((redis) => redis.quit().catch(() => redis.disconnect())),
    );
    if (this.#server) await (await this.#server).stop();
  }
}

/** Calls per command since the server started, from INFO commandstats. */
export async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] as string, Number(match[2]));
  }
  return calls;
}

/** Commands issued between two INFO commandstats snapshots, leaving out the INFO calls themselves. */
export function commandDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    if (name === 'info') continue;
    const issued = calls - (before.get(name) ?? 0);
    if (issued > 0) delta.set(name, issued);
  }
  return delta;
}
