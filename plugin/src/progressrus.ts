import type { JobsPage, JobsQuery } from './stores/job-query.js';
import type { ProgresserOptions, Retention } from './core/progresser-options.js';
import { Progresser } from './core/progresser.js';
import type { Scope } from './core/scope.js';
import type { ScopesPage, ScopesQuery, Store } from './stores/store.js';
import type { Tick } from './core/tick.js';

export interface ProgressrusOptions {
  readonly store: Store;
  /** Default for every progresser. @default 2000 */
  readonly intervalMs?: number;
  readonly retention?: Retention;
  readonly onError?: (error: Error) => void;
}

/**
 * One place to configure the store and defaults, then create progressers and read records.
 *
 * @example
 * const progressrus = new Progressrus({ store: new RedisStore({ connection: redis }) });
 * const progress = progressrus.progresser({ scope: ['user', 3421], total: 100 });
 * const ticks = await progressrus.scope(['user', 3421]);
 */
export class Progressrus {
  readonly store: Store;
  readonly #defaults: Partial<ProgresserOptions>;

  constructor(options: ProgressrusOptions) {
    this.store = options.store;
    const { store, ...defaults } = options;
    this.#defaults = defaults;
  }

  progresser(options: Omit<ProgresserOptions, 'store' | 'stores'> & Partial<Pick<ProgresserOptions, 'store' | 'stores'>>): Progresser {
    return new Progresser({ store: this.store, ...this.#defaults, ...options });
  }

  scope(scope: Scope): Promise<Tick[]> {
    return this.store.scope(scope);
  }

  find(scope: Scope, id: string): Promise<Tick | null> {
    return this.store.find(scope, id);
  }

  delete(scope: Scope, id?: string): Promise<void> {
    return this.store.delete(scope, id);
  }

  scopes(query?: ScopesQuery): Promise<ScopesPage> {
    return this.store.scopes(query);
  }

  /** One page of a scope's jobs with the scope's counts: see `StoreReader.jobs`. */
  jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage> {
    return this.store.jobs(scope, query);
  }
}
