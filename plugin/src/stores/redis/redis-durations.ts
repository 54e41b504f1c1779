import { decodeSample, type DurationSample, summarize, type TypicalDuration } from '../../core/durations.js';
import { TurnBatch } from '../turn-batch.js';
import type { RedisContext } from './redis-context.js';
import { SCRIPTS } from './redis-lua.js';

/**
 * The typical-duration lookups of a RedisStore. Those made in one turn go to Redis as one
 * script call (see TurnBatch): one command to encode and one reply to parse instead of one per
 * name. The durations sets all live in the `{prefix}` slot, so one call serves a Cluster too.
 */
export class DurationReads {
  readonly #context: RedisContext;
  readonly #batch: TurnBatch<string[]>;

  constructor(context: RedisContext) {
    this.#context = context;
    this.#batch = new TurnBatch(async (keys) => {
      const replies = (await context.bounded(
        'typicalDuration()',
        SCRIPTS.durations.run(context.redis, keys, []),
      )) as string[][];
      return new Map(keys.map((key, index) => [key, replies[index] ?? []]));
    });
  }

  async lookUp(name: string, queue: string | null): Promise<TypicalDuration | null> {
    const flat = (await this.#batch.get(this.#context.keys.durations(name, queue))) ?? [];
    const samples: DurationSample[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const sample = decodeSample(flat[i] as string, Number(flat[i + 1]));
      if (sample) samples.push(sample);
    }
    return summarize(name, queue, samples);
  }
}
