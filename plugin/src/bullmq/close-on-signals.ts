import { expected } from '../core/errors.js';

/**
 * Something with an awaitable `close`, like a `ProgressWorker`, a BullMQ `Worker`, `Queue` or
 * `QueueEvents`, or `{ close: () => connection.quit() }`. A `flush()` (as `ProgressWorker` has)
 * is called when the close takes too long, to write what is pending before the process exits.
 */
export interface Closable {
  close(): unknown;
  flush?(): unknown;
}

export interface CloseGracefullyOptions {
  /**
   * How long running jobs get to finish. Past it, closing stops waiting: jobs still running are
   * not lost, BullMQ's stall check hands them to another worker once their lock expires (as
   * after a crash), and each target's `flush()` writes their progress so far. Keep it below your
   * platform's grace period (Kubernetes: 30 s), leaving ~10 s for those writes.
   * @default 15_000
   */
  readonly timeoutMs?: number;
  /** Stops waiting at once when aborted, as the timeout does. @default undefined */
  readonly signal?: AbortSignal;
}

export interface CloseOnSignalsOptions extends Omit<CloseGracefullyOptions, 'signal'> {
  /** @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Exit once closed: code 0, or 1 when jobs were left running or a close failed. Without it,
   * the process ends when nothing else keeps it alive. @default true
   */
  readonly exit?: boolean;
  /** Told what happens, e.g. to log it. @default () => {} */
  readonly onEvent?: (event: 'closing' | CloseOutcome, signal: NodeJS.Signals) => void;
}

/** How a graceful close ended: all closed, jobs left running past the timeout, or a close threw. */
export type CloseOutcome = 'closed' | 'timed-out' | 'failed';

/**
 * Closes targets one after another: a worker's `close()` lets its running jobs finish, and a
 * `ProgressWorker` then writes every final record before its `close()` resolves. Past
 * `timeoutMs` (or when `signal` aborts) it stops waiting and calls `flush()` on every target
 * that has one (a `ProgressWorker` writes its running jobs' counts, for at most 10 s when the
 * store is down). Put workers first and the connections they use last.
 *
 * @example
 * await closeGracefully([worker, { close: () => connection.quit() }], { timeoutMs: 10_000 });
 */
export async function closeGracefully(
  targets: readonly Closable[],
  options: CloseGracefullyOptions = {},
): Promise<CloseOutcome> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0)
    throw expected('timeoutMs', 'an integer ≥ 0', timeoutMs);
  const giveUp = deadline(timeoutMs, options.signal);
  let outcome: CloseOutcome = 'closed';
  try {
    for (const target of targets) {
      const closing = Promise.resolve()
        .then(() => target.close())
        .then(
          () => 'closed' as const,
          () => 'failed' as const,
        );
      const result = await Promise.race([closing, giveUp.reached]);
      if (result === 'timed-out') {
        outcome = 'timed-out';
        break;
      }
      if (result === 'failed') outcome = 'failed';
    }
  } finally {
    giveUp.cancel();
  }
  if (outcome === 'timed-out') {
    await Promise.all(
      targets.map((target) => Promise.resolve(target.flush?.()).catch(() => undefined)),
    );
  }
  return outcome;
}

/**
 * Closes the targets with `closeGracefully` when the process gets SIGTERM (a deploy, `docker
 * stop`, Kubernetes) or SIGINT (Ctrl-C), then exits. A second signal stops waiting for running
 * jobs at once. Returns a function that removes the listeners.
 *
 * @example
 * const worker = new ProgressWorker('imports', processor, { connection, progress });
 * closeOnSignals([worker, { close: () => connection.quit() }], { timeoutMs: 15_000 });
 */
export function closeOnSignals(
  targets: readonly Closable[],
  options: CloseOnSignalsOptions = {},
): () => void {
  const signals = options.signals ?? (['SIGTERM', 'SIGINT'] as const);
  const exit = options.exit ?? true;
  const onEvent = options.onEvent ?? (() => {});
  const impatience = new AbortController();
  let closing = false;
  const listener = (signal: NodeJS.Signals) => {
    if (closing) {
      impatience.abort();
      return;
    }
    closing = true;
    onEvent('closing', signal);
    void closeGracefully(targets, { timeoutMs: options.timeoutMs, signal: impatience.signal }).then(
      (outcome) => {
        onEvent(outcome, signal);
        if (exit) process.exit(outcome === 'closed' ? 0 : 1);
      },
    );
  };
  for (const signal of signals) process.on(signal, listener);
  return () => {
    for (const signal of signals) process.off(signal, listener);
  };
}

/** Resolves `'timed-out'` after `ms` or when `signal` aborts, whichever comes first. */
function deadline(
  ms: number,
  signal: AbortSignal | undefined,
): { reached: Promise<'timed-out'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const reached = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), ms);
    onAbort = () => resolve('timed-out');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return {
    reached,
    cancel() {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}
