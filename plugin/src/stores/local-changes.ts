import type { TypicalDuration } from '../core/durations.js';
import type { Change, ChangeFeed } from './change-feed.js';
import type { ProgressRecord } from '../core/record.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../core/scope.js';
import type { ScopesPage, ScopesQuery, Store } from './store.js';
import type { Tick } from '../core/tick.js';
import type { JobsPage, JobsQuery } from './job-query.js';

/**
 * A change feed inside one process, for stores that publish nothing themselves (a
 * `MemoryStore`): `track(store)` returns a store that passes everything to `store` and announces each write and delete.
 *
 * @example
 * const changes = new LocalChangeFeed();
 * const store = changes.track(new MemoryStore());
 * const handler = createProgressHandler({ store, changes, authorize: () => true });
 */
export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<(change: Change) => void>();

  async subscribe(listener: (change: Change) => void): Promise<() => void> {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Announces a change to every listener. */
  publish(change: Change): void {
    for (const listener of this.#listeners) listener(change);
  }

  /** Wraps a store so that `persist` and `delete` publish here once they are done. */
  track(store: Store): Store {
    return new TrackedStore(store, this);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}

/** A store in front of another, as the BullMQ mirror is: each write and delete is announced once done. */
class TrackedStore implements Store {
  readonly #store: Store;
  readonly #feed: LocalChangeFeed;

  constructor(store: Store, feed: LocalChangeFeed) {
    this.#store = store;
    this.#feed = feed;
  }

  async persist(record: ProgressRecord): Promise<void> {
    await this.#store.persist(record);
    this.#feed.publish({ scope: record.scope.join(SCOPE_SEPARATOR), id: record.id });
  }

  async delete(scope: Scope, id?: string): Promise<void> {
    const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
    // A whole-scope delete names its records first, so viewers learn each one is gone.
    const ids = id === undefined ? (await this.#store.scope(scope)).map((tick) => tick.id) : [id];
    await this.#store.delete(scope, id);
    for (const each of ids) this.#feed.publish({ scope: key, id: each });
  }

  find(scope: Scope, id: string): Promise<Tick | null> {
    return this.#store.find(scope, id);
  }

  scope(scope: Scope): Promise<Tick[]> {
    return this.#store.scope(scope);
  }

  scopes(query?: ScopesQuery): Promise<ScopesPage> {
    return this.#store.scopes(query);
  }

  jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    return this.#store.jobs(scope, query);
  }

  typicalDuration(name: string, queue?: string | null): Promise<TypicalDuration | null> {
    return this.#store.typicalDuration(name, queue);
  }
}
