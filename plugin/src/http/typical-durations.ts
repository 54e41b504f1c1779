import type { TypicalDuration } from '../core/durations.js';
import { type JobDTO, type JobsPageDTO, toJobDTO, toJobsPageDTO } from '../core/dto.js';
import type { Tick } from '../core/tick.js';
import type { StoreReader } from '../stores/store.js';

/** How long a looked-up typical duration serves a long-lived reader (the change hub). */
const FRESH_MS = 10_000;

/**
 * Typical durations of job names (`store.typicalDuration`), looked up once per name and queue
 * and kept `FRESH_MS`: a page of 50 jobs of three names costs three reads, and a change hub
 * relaying every write of a running job reads each name at most every 10 s. Only unfinished
 * jobs need one (their ETA's prior, their "usually takes"); a failed lookup is no prior.
 */
export class TypicalDurations {
  readonly #store: Pick<StoreReader, 'typicalDuration'>;
  readonly #known = new Map<string, { at: number; value: Promise<TypicalDuration | null> }>();

  constructor(store: Pick<StoreReader, 'typicalDuration'>) {
    this.#store = store;
  }

  of(tick: Tick): Promise<TypicalDuration | null> {
    // A store of another version may not know typical durations: no prior, as before.
    if (tick.finished || typeof this.#store.typicalDuration !== 'function') return Promise.resolve(null);
    // Length-prefixed, so no queue and name pair spells another's key (cheaper than JSON per job).
    const key = tick.queue === null ? `-${tick.name}` : `${tick.queue.length}:${tick.queue}${tick.name}`;
    const now = Date.now();
    const known = this.#known.get(key);
    if (known && now - known.at < FRESH_MS) return known.value;
    const value = this.#store.typicalDuration(tick.name, tick.queue).catch(() => null);
    this.#known.set(key, { at: now, value });
    // Bounded: a reader that met many names starts over rather than grow.
    if (this.#known.size > 1_000) this.#known.clear();
    return value;
  }

  /** The DTO of `tick`, with its name's typical duration. */
  async dto(tick: Tick): Promise<JobDTO> {
    return toJobDTO(tick, tick.readAt, await this.of(tick));
  }

  dtos(ticks: readonly Tick[]): Promise<JobDTO[]> {
    return Promise.all(ticks.map((tick) => this.dto(tick)));
  }

  /** A page of jobs as the API serves it, each with its name's typical duration. */
  async page(page: Parameters<typeof toJobsPageDTO>[0]): Promise<JobsPageDTO> {
    return { ...toJobsPageDTO({ ...page, items: [] }), items: await this.dtos(page.items) };
  }
}
