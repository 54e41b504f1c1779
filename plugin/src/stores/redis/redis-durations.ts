import {
  decodeSample,
  type DurationSample,
  summarize,
  type TypicalDuration,
} from '../../core/durations.js';
import type { RedisContext } from './redis-context.js';
import { SCRIPTS } from './redis-lua.js';

/**
 * The typical-duration lookups of a RedisStore. Those made in one turn go to Redis as one
 * script call: a page of 50 unfinished jobs of 50 names asks for 50 sets at once (the HTTP
 * handler looks up each job's name), one command to encode and one reply to parse instead of
 * 50. The durations sets all live in the `{prefix}` slot, so one call serves a Cluster too.
 */
export class DurationReads {
  readonly #context: RedisContext;
  #keys: Set<string> | null = null;
  #replies: Promise<Map<string, string[]>> = Promise.resolve(new Map());

  constructor(context: RedisContext) {
    this.#context = context;
  }

  async lookUp(name: string, queue: string | null): Promise<TypicalDuration | null> {
    const key = this.#context.keys.durations(name, queue);
    if (this.#keys === null) {
      const keys = new Set<string>();
      this.#keys = keys;
      // A microtask: the lookups of one synchronous pass (`Promise.all(page.map(...))`) join it.
      this.#replies = Promise.resolve().then(() => {
        this.#keys = null;
        return this.#read([...keys]);
      });
    }
    this.#keys.add(key);
    const flat = (await this.#replies).get(key) ?? [];
    const samples: DurationSample[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const sample = decodeSample(flat[i] as string, Number(flat[i + 1]));
      if (sample) samples.push(sample);
    }
    return summarize(name, queue, samples);
  }

  async #read(keys: readonly string[]): Promise<Map<string, string[]>> {
    const replies = (await this.#context.bounded(
      'typicalDuration()',
      SCRIPTS.durations.run(this.#context.redis, keys, []),
    )) as string[][];
    return new Map(keys.map((key, index) => [key, replies[index] ?? []]));
  }
}
