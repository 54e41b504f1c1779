import type { Change, ChangeFeed } from './change-feed.js';
import type { ProgressRecord } from '../core/record.js';
import { normalizeScope, type Scope, SCOPE_SEPARATOR } from '../core/scope.js';
import type { Store } from './store.js';

/**
 * A change feed inside one process, for stores that publish nothing themselves (a
 * `MemoryStore`): `track(store)` returns the same store, announcing each write and delete.
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

  /** Wraps a store so that `persist` and `flush` publish here once they are done. */
  track<S extends Store>(store: S): S {
    const publish = (change: Change) => this.publish(change);
    return new Proxy(store, {
      get(target, property) {
        if (property === 'persist') {
          return async (record: ProgressRecord) => {
            await target.persist(record);
            publish({ scope: record.scope.join(SCOPE_SEPARATOR), id: record.id });
          };
        }
        if (property === 'flush') {
          return async (scope: Scope, id?: string) => {
            const key = normalizeScope(scope).join(SCOPE_SEPARATOR);
            // A whole-scope flush names its records first, so viewers learn each one is gone.
            const ids =
              id === undefined ? (await target.scope(scope)).map((tick) => tick.id) : [id];
            await target.flush(scope, id);
            for (const each of ids) publish({ scope: key, id: each });
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
