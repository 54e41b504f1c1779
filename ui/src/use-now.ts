'use client';

import { useSyncExternalStore } from 'react';

/**
 * One shared ticker for every component that shows a relative time: a list of 1,000 ETAs
 * sets one interval, not 1,000.
 */
const TICK_MS = 1000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let current = 0;

function subscribe(listener: () => void): () => void {
  if (timer === null) {
    current = Date.now();
    timer = setInterval(() => {
      current = Date.now();
      for (const notify of listeners) notify();
    }, TICK_MS);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

function getSnapshot(): number {
  // Without a running ticker `current` may be stale; refresh it, floored to the second so that
  // React's repeated reads within one render agree (a changing snapshot would loop).
  if (timer === null) current = Math.floor(Date.now() / TICK_MS) * TICK_MS;
  return current;
}

function getServerSnapshot(): null {
  return null;
}

/**
 * The current time, updated every second; null on the server and during hydration, so that
 * what depends on the viewer's clock and zone renders only in the browser.
 * `override` (a fixed time, for tests and stories) wins when given.
 */
export function useNow(override?: Date): Date | null {
  const now = useSyncExternalStore(
    override ? noSubscribe : subscribe,
    getSnapshot,
    getServerSnapshot,
  );
  if (override) return override;
  return now === null ? null : new Date(now);
}

function noSubscribe(): () => void {
  return () => {};
}
