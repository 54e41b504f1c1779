import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL once when the server does not have it
 * yet (NOSCRIPT: a new server, a restart, SCRIPT FLUSH); EVAL caches it for the next call. On
 * a Cluster, ioredis sends the call to the node of the first key.
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis | Cluster, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    // Arrays, not spread arguments: ioredis flattens them, and a batch of 10,000 records has
    // more arguments than a call may take (RangeError: Maximum call stack size exceeded).
    const params = [keys.length, keys, args] as unknown as [number];
    try {
      return await redis.evalsha(this.#sha, ...params);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, ...params);
    }
  }
}
