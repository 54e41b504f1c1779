import type { Cluster, Redis } from 'ioredis';
import { hashPart } from './redis-keys.js';

type Command = [name: string, ...args: (string | number)[]];

/** Commands whose first argument is not a key: they may go to any node. */
const KEYLESS: ReadonlySet<string> = new Set(['publish']);

/**
 * Commands collected to go to Redis together. On a single server they run as one MULTI, so a
 * record and its index entries change together.
 *
 * A Cluster cannot run MULTI across hash slots. There the batch runs stage by stage (see
 * `stage()`); within a stage, the commands on keys of one slot run as one MULTI (the index
 * keys share a hash tag, so every index update of a batch is one transaction) and the slots
 * run in parallel. Every command is idempotent, so a partial failure is repaired by the
 * retry or the next write.
 */
export class RedisBatch {
  readonly #stages: Command[][] = [[]];

  add(...command: Command): this {
    (this.#stages.at(-1) as Command[]).push(command);
    return this;
  }

  /**
   * Starts a new stage: on a Cluster, the commands added from now on are sent only once the
   * earlier ones succeeded (say, a record's expiry entry before the record, so a record is
   * never left without one). A single server runs the whole batch as one MULTI anyway.
   */
  stage(): this {
    if ((this.#stages.at(-1) as Command[]).length > 0) this.#stages.push([]);
    return this;
  }

  get size(): number {
    return this.#stages.reduce((total, commands) => total + commands.length, 0);
  }

  async exec(redis: Redis | Cluster): Promise<void> {
    if (this.size === 0) return;
    if (!redis.isCluster) {
      await transaction(redis, this.#stages.flat());
      return;
    }
    for (const commands of this.#stages) {
      await Promise.all(
        [...bySlot(commands)].map(([slot, group]) => execGroup(redis, slot, group)),
      );
    }
  }
}

/** Groups commands by the part of their key that Redis hashes; keyless commands under ''. */
function bySlot(commands: readonly Command[]): Map<string, Command[]> {
  const groups = new Map<string, Command[]>();
  for (const command of commands) {
    const [name, key] = command;
    const slot = KEYLESS.has(name.toLowerCase()) ? '' : `#${hashPart(String(key))}`;
    const group = groups.get(slot);
    if (group) group.push(command);
    else groups.set(slot, [command]);
  }
  return groups;
}

async function execGroup(redis: Redis | Cluster, slot: string, commands: Command[]): Promise<void> {
  if (commands.length === 1) {
    const [name, ...args] = commands[0] as Command;
    await redis.call(name, ...args);
  } else if (slot === '') {
    checkResults(await redis.pipeline(commands).exec());
  } else {
    await transaction(redis, commands);
  }
}

async function transaction(redis: Redis | Cluster, commands: Command[]): Promise<void> {
  checkResults(await redis.multi(commands).exec());
}

function checkResults(results: [error: Error | null, result: unknown][] | null): void {
  const failed = results?.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
}
