import type { Redis } from 'ioredis';
import { STATUSES, type Status } from '../core/record.js';
import type { Scope } from '../core/scope.js';
import type { Tick } from '../core/tick.js';
import { emptyCounts } from '../stores/job-query.js';
import type { StoreReader } from '../stores/store.js';
import type { CommandContext } from './context.js';
import {
  PlainRenderer,
  TerminalRenderer,
  type WatchRenderer,
  type WatchView,
} from './watch-renderers.js';

export interface WatchCommandOptions {
  /** Return once the scope has jobs and all of them have finished. */
  readonly untilDone: boolean;
}

/** Re-read at least this often, even without a change message: `stalled` and ETAs move with time. */
const READ_EVERY_MS = 1000;
/** Terminal frames: often enough for a smooth ETA and the sweep of unknown totals. */
const FRAME_MS = 250;
/** Least time between two reads when change messages pour in. */
const MIN_READ_GAP_MS = 100;
/** Jobs read each time, of each kind (unfinished, latest): more than a terminal has rows. */
const SHOWN_JOBS = 200;
/** Statuses of jobs that have not reached an end. */
const UNFINISHED: readonly Status[] = STATUSES.filter(
  (status) => status !== 'completed' && status !== 'failed' && status !== 'cancelled',
);

/**
 * `progressrus watch <scope>`: live progress of a scope. Reads on each change published on
 * `<prefix>::changes` for the scope and once a second, until Ctrl-C (or, with `--until-done`,
 * until every job has finished).
 */
export async function watchCommand(
  context: CommandContext,
  scope: Scope,
  options: WatchCommandOptions,
): Promise<number> {
  const key = scope.join(':');
  const tty = context.stdout.isTTY === true;
  const renderer: WatchRenderer = tty
    ? new TerminalRenderer(context.stdout, key, context.colour)
    : new PlainRenderer(context.stdout, context.stderr, key);
  const wake = new Wake();
  const subscriber = await subscribe(context.redis, context.store.keys.changes, (message) => {
    if (changedScope(message) === key) wake.set();
  });
  const onAbort = () => wake.set();
  context.signal.addEventListener('abort', onAbort);
  let view: WatchView = { ticks: [], counts: emptyCounts(), total: 0 };
  let readAt = 0;
  try {
    while (!context.signal.aborted) {
      const nowMs = context.now().getTime();
      if ((wake.pending && nowMs - readAt >= MIN_READ_GAP_MS) || nowMs - readAt >= READ_EVERY_MS) {
        wake.clear();
        readAt = nowMs;
        try {
          view = await readView(context.store, scope);
          renderer.notice(null);
        } catch (error) {
          renderer.notice(
            `Cannot read ${key}: ${error instanceof Error ? error.message : String(error)}; retrying`,
          );
        }
      }
      renderer.render(view, context.now());
      if (options.untilDone && view.total > 0 && UNFINISHED.every((status) => view.counts[status] === 0))
        break;
      await wake.wait(wake.pending ? MIN_READ_GAP_MS : tty ? FRAME_MS : READ_EVERY_MS);
    }
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    renderer.close(view);
    subscriber.disconnect();
  }
  return 0;
}

/**
 * Two pages, whatever the size of the scope: the unfinished jobs, oldest start first, and the
 * latest updated; with the counts of the whole scope.
 */
async function readView(store: StoreReader, scope: Scope): Promise<WatchView> {
  const [unfinished, latest] = await Promise.all([
    store.jobs(scope, { statuses: UNFINISHED, sort: 'startedAt', order: 'asc', limit: SHOWN_JOBS }),
    store.jobs(scope, { limit: SHOWN_JOBS }),
  ]);
  const ticks = new Map<string, Tick>();
  for (const tick of [...unfinished.items, ...latest.items]) if (!ticks.has(tick.id)) ticks.set(tick.id, tick);
  return { ticks: [...ticks.values()], counts: latest.counts, total: latest.total };
}

async function subscribe(
  redis: Redis,
  channel: string,
  onMessage: (message: string) => void,
): Promise<Redis> {
  // A subscribed connection can run nothing else, so the changes get their own.
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, message: string) => onMessage(message));
  await subscriber.connect();
  await subscriber.subscribe(channel);
  return subscriber;
}

function changedScope(message: string): string | null {
  try {
    const parsed: unknown = JSON.parse(message);
    return parsed !== null &&
      typeof parsed === 'object' &&
      'scope' in parsed &&
      typeof parsed.scope === 'string'
      ? parsed.scope
      : null;
  } catch {
    return null;
  }
}

/** A flag that a sleeping loop can be woken by. */
class Wake {
  pending = false;
  #resolve: (() => void) | null = null;

  set(): void {
    this.pending = true;
    this.#resolve?.();
  }

  clear(): void {
    this.pending = false;
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#resolve = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#resolve = done;
    });
  }
}
