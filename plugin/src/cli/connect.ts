import { Redis } from 'ioredis';
import { ProgressrusError } from '../core/errors.js';

/** The address the CLI uses when neither `--url` nor REDIS_URL is given. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Redis could not be reached; the CLI prints the message as one line and exits with 1. */
export class RedisUnreachableError extends ProgressrusError {
  override readonly name = 'RedisUnreachableError';
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super(
      `Cannot reach Redis at ${redactUrl(url)} (${reason}). Start Redis, or set REDIS_URL or --url.`,
      options,
    );
  }
}

export interface ConnectOptions {
  /** Give up on the first connection after this long. @default 2000 */
  readonly connectTimeoutMs?: number;
}

/**
 * Connects without ioredis's default of retrying forever: a dead URL fails within
 * `connectTimeoutMs` with a `RedisUnreachableError`. Once connected, a dropped connection is
 * retried (so `watch` survives a Redis restart), but commands never wait in an offline queue.
 *
 * @example
 * const redis = await connect(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const connectTimeout = options.connectTimeoutMs ?? 2000;
  let connected = false;
  let lastError: Error | null = null;
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => (connected ? Math.min(times * 200, 2000) : null),
    });
  } catch (error) {
    throw new RedisUnreachableError(url, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  // Without a listener ioredis prints every connection error; the CLI reports them itself.
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await withTimeout(redis.connect(), connectTimeout + 500);
    connected = true;
    return redis;
  } catch (error) {
    redis.disconnect();
    const cause = lastError ?? error;
    throw new RedisUnreachableError(url, describeCause(cause), { cause });
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProgressrusError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Hides the password of `redis://user:secret@host`, so errors can be printed and logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
