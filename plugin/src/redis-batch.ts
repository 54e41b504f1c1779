import type { Cluster, Redis } from 'ioredis';

type Command = [name: string, ...args: (string | number)[]];

/**
 * Commands collected to go to Redis in one round trip. On a single server they run as one
 * MULTI, so a record and its index entries change together. A Cluster cannot run MULTI
 * across hash slots, so there each command is sent on its own and ioredis pipelines them per
 * node; every command is idempotent, so a partial failure is repaired by the next write.
 */
export class RedisBatch {
  readonly #commands: Command[] = [];

  add(...command: Command): this {
    this.#commands.push(command);
    return this;
  }

  get size(): number {
    return this.#commands.length;
  }

  async exec(redis: Redis | Cluster): Promise<void> {
    if (this.#commands.length === 0) return;
    if (redis.isCluster) {
      await Promise.all(this.#commands.map(([name, ...args]) => redis.call(name, ...args)));
      return;
    }
    const results = await (redis as Redis).multi(this.#commands).exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed?.[0]) throw failed[0];
  }
}
