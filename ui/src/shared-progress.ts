import type { JobDTO } from 'progressrus/core';
import type { ResolvedProgressOptions } from './progress-options.js';
import type { ProgressState } from './progress-state.js';
import { ProgressSubscription } from './progress-subscription.js';
import type { ResolvedTarget } from './progress-target.js';

/**
 * The running subscriptions, one per key: every component that follows the same target the
 * same way (URL and timings) shares one stream. The last one to leave closes it.
 */
const running = new Map<string, { readonly subscription: ProgressSubscription; users: number }>();

/**
 * What makes two `useProgress` calls ask for the same thing. Not the token (it is renewed), nor
 * EventSource, fetch and clock: those are taken as they are when the subscription starts, so
 * a new identity on each render does not reconnect.
 */
export function progressKey(target: ResolvedTarget, options: ResolvedProgressOptions): string {
  return JSON.stringify([
    target.scope,
    target.id,
    options.url,
    options.pollIntervalMs,
    options.reconnectDelayMs,
    options.maxReconnectDelayMs,
    options.failuresBeforePolling,
  ]);
}

/**
 * One component's handle on the shared subscription of a key, shaped for React's
 * `useSyncExternalStore`: `subscribe` joins (and starts) the shared subscription, `getSnapshot`
 * reads its state. Before joining, the state is that of a subscription not yet started (the
 * initial jobs, `connecting`), made without side effects, which is also what the server renders.
 */
export class SharedProgress {
  readonly #key: string;
  readonly #create: () => ProgressSubscription;
  #idle: ProgressSubscription | null = null;

  constructor(
    key: string,
    target: ResolvedTarget,
    options: ResolvedProgressOptions,
    initialJobs: readonly JobDTO[] | undefined,
  ) {
    this.#key = key;
    this.#create = () => new ProgressSubscription(target, options, initialJobs);
  }

  readonly subscribe = (onChange: () => void): (() => void) => {
    let shared = running.get(this.#key);
    if (shared === undefined) {
      shared = { subscription: this.#takeIdle(), users: 0 };
      running.set(this.#key, shared);
      shared.subscription.start();
    }
    const joined = shared;
    joined.users += 1;
    const unsubscribe = joined.subscription.subscribe(onChange);
    return () => {
      unsubscribe();
      joined.users -= 1;
      if (joined.users === 0) {
        joined.subscription.close();
        running.delete(this.#key);
      }
    };
  };

  readonly getSnapshot = (): ProgressState =>
    (running.get(this.#key)?.subscription ?? this.#idleSubscription()).state;

  /** A renewed token goes to the shared subscription (the newest one given wins). */
  setToken(token: string | null): void {
    running.get(this.#key)?.subscription.setToken(token);
  }

  #idleSubscription(): ProgressSubscription {
    this.#idle ??= this.#create();
    return this.#idle;
  }

  #takeIdle(): ProgressSubscription {
    const idle = this.#idleSubscription();
    // Once started it belongs to the running set; a later join after it closed needs a new one.
    this.#idle = null;
    return idle;
  }
}
