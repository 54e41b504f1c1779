import { StoreError } from '../../core/errors.js';

/** What a read needs to know to fail clearly: the connection's state and the store's name. */
export interface ReadContext {
  /** Names the store in messages, e.g. `RedisStore "progressrus"`. */
  readonly store: string;
  /** ioredis' connection status (`ready`, `connecting`, `reconnecting`, `end`, …). */
  readonly status: () => string;
  /** How long a command may take; 0 waits as long as ioredis does. */
  readonly timeoutMs: number;
}

/**
 * Waits for one Redis command of a read, at most `timeoutMs`, and turns its failure into a
 * `StoreError` naming the store and the operation.
 *
 * Why a timer of our own: while Redis is down, ioredis queues commands and retries them
 * (`maxRetriesPerRequest`, 20 by default, `null` — forever — for BullMQ connections), so a
 * read of a request handler would wait tens of seconds or forever. The command itself stays
 * queued in ioredis; its late answer or failure is ignored.
 */
export function boundedRead<T>(
  command: Promise<T>,
  operation: string,
  context: ReadContext,
): Promise<T> {
  const fail = (reason: string, cause?: unknown) =>
    new StoreError(`${context.store}: ${operation} ${reason} (connection ${context.status()})`, {
      cause,
    });
  const answered = command.catch((error: unknown) => {
    throw fail(`failed: ${error instanceof Error ? error.message : String(error)}`, error);
  });
  if (context.timeoutMs === 0) return answered;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(fail(`got no answer from Redis within ${context.timeoutMs} ms`)),
      context.timeoutMs,
    );
    // A pending read never keeps a process alive by itself.
    timer.unref();
  });
  return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
}
