import type { Change, ChangeFeed } from '../stores/change-feed.js';
import type { JobDTO } from '../core/dto.js';
import { ProgressrusError } from '../core/errors.js';
import { parseScopeKey } from '../core/scope.js';
import type { Store } from '../stores/store.js';
import { compareEventIds, type EventId, ReplayLog } from './replay-log.js';
import type { TypicalDurations } from './typical-durations.js';

/** What a viewer receives after its snapshot. */
export type HubEvent =
  | { readonly type: 'job'; readonly id: EventId; readonly job: JobDTO }
  | { readonly type: 'removed'; readonly id: EventId; readonly recordId: string };

/** One open event stream: a scope, or one record of it. */
export interface Viewer {
  readonly scope: string;
  readonly recordId: string | null;
  send(event: HubEvent): void;
  /** Ends the viewer's stream (the handler is closing). */
  close(): void;
}

export interface ChangeHubOptions {
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly replayLimit: number;
  readonly now: () => number;
  readonly onError: (error: Error) => void;
  /** The handler's typical durations, shared with its routes. */
  readonly typical: TypicalDurations;
}

/**
 * Fans one change feed out to every viewer in this process. However many viewers watch a
 * scope, a change costs one subscription message and one `find()`; changes that arrive while
 * a read is in flight (a burst of 50 in one tick) are coalesced into one read per record.
 */
export class ChangeHub {
  readonly #store: Store;
  readonly #typical: TypicalDurations;
  readonly #feed: ChangeFeed;
  readonly #onError: (error: Error) => void;
  readonly #log: ReplayLog;
  readonly #viewers = new Map<string, Set<Viewer>>();
  // scope key → record id → id of its latest change not yet read.
  #pending = new Map<string, Map<string, EventId>>();
  #flushing: Promise<void> | null = null;
  #subscribed: Promise<() => void> | null = null;
  #closed = false;

  constructor(options: ChangeHubOptions) {
    this.#store = options.store;
    this.#typical = options.typical;
    this.#feed = options.feed;
    this.#onError = options.onError;
    this.#log = new ReplayLog(options.replayLimit, options.now);
  }

  /** Subscribes on first use; resolves once changes flow, so a snapshot read after it misses nothing. */
  async ready(): Promise<void> {
    if (this.#closed) throw new ProgressrusError('The progress handler is closed');
    this.#subscribed ??= this.#feed.subscribe(
      (change) => this.#onChange(change),
      () => this.#onGap(),
    );
    try {
      await this.#subscribed;
    } catch (error) {
      this.#subscribed = null;
      throw error;
    }
    this.#log.start();
  }

  add(viewer: Viewer): void {
    let viewers = this.#viewers.get(viewer.scope);
    if (!viewers) this.#viewers.set(viewer.scope, (viewers = new Set()));
    viewers.add(viewer);
  }

  delete(viewer: Viewer): void {
    const viewers = this.#viewers.get(viewer.scope);
    viewers?.delete(viewer);
    if (viewers?.size === 0) this.#viewers.delete(viewer.scope);
  }

  /** Number of open viewers (all scopes). */
  get size(): number {
    let size = 0;
    for (const viewers of this.#viewers.values()) size += viewers.size;
    return size;
  }

  /** The id a snapshot read now is current up to. */
  current(): EventId {
    return this.#log.current();
  }

  /** The changes after `after`, read fresh; `null` when they cannot be known (send a snapshot). */
  async replay(scope: string, recordId: string | null, after: EventId): Promise<HubEvent[] | null> {
    const changed = this.#log.since(after, scope, recordId);
    if (changed === null) return null;
    return this.#read(scope, changed);
  }

  #onChange(change: Change): void {
    const id = this.#log.record(change.scope, change.id);
    if (!this.#viewers.has(change.scope)) return;
    let records = this.#pending.get(change.scope);
    if (!records) this.#pending.set(change.scope, (records = new Map()));
    records.set(change.id, id);
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#flush(),
    );
  }

  /**
   * Changes were lost: no viewer's state can be trusted and no replay is exact. Ending the
   * streams makes every EventSource reconnect; the log cannot replay its id, so each gets a
   * fresh snapshot.
   */
  #onGap(): void {
    this.#log.reset();
    this.#pending.clear();
    this.#closeViewers();
  }

  #closeViewers(): void {
    const viewers = [...this.#viewers.values()].flatMap((set) => [...set]);
    this.#viewers.clear();
    for (const viewer of viewers) viewer.close();
  }

  /** Reads every pending record once and delivers; runs again if more came in meanwhile. */
  async #flush(): Promise<void> {
    while (this.#pending.size > 0 && !this.#closed) {
      const pending = this.#pending;
      this.#pending = new Map();
      await Promise.all(
        [...pending].map(async ([scope, records]) => {
          const events = await this.#read(scope, [...records]);
          // Read in parallel, delivered in id order: a viewer's ids only ever grow.
          for (const event of events.sort((a, b) => compareEventIds(a.id, b.id)))
            this.#deliver(scope, event);
        }),
      );
    }
    this.#flushing = null;
  }

  async #read(scope: string, records: [string, EventId][]): Promise<HubEvent[]> {
    const parts = parseScopeKey(scope);
    const events = await Promise.all(
      records.map(async ([recordId, id]): Promise<HubEvent | null> => {
        try {
          const tick = await this.#store.find(parts, recordId);
          return tick === null
            ? { type: 'removed', id, recordId }
            : { type: 'job', id, job: await this.#typical.dto(tick) };
        } catch (error) {
          // A change naming a malformed scope, or a store hiccup: one record, not the stream.
          this.#onError(error as Error);
          return null;
        }
      }),
    );
    return events.filter((event) => event !== null);
  }

  #deliver(scope: string, event: HubEvent): void {
    const recordId = event.type === 'job' ? event.job.id : event.recordId;
    for (const viewer of this.#viewers.get(scope) ?? []) {
      if (viewer.recordId === null || viewer.recordId === recordId) viewer.send(event);
    }
  }

  /** Stops listening. The feed itself belongs to whoever made it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeViewers();
    this.#pending.clear();
    const subscribed = this.#subscribed;
    this.#subscribed = null;
    if (subscribed) (await subscribed.catch(() => () => {}))();
  }
}
