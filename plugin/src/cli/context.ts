import type { Redis } from 'ioredis';
import { ProgressrusError } from '../core/errors.js';
import type { RedisStore } from '../stores/redis/redis-store.js';

/** Where the CLI writes: `process.stdout` in the bin, a buffer in tests. */
export interface CliOutput {
  write(text: string): unknown;
  /** True on a terminal: `watch` then redraws bars in place. */
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** What every command gets: the connection, a store on it, and the streams. */
export interface CommandContext {
  readonly redis: Redis;
  readonly store: RedisStore;
  readonly stdout: CliOutput;
  /** Warnings that must not mix with the output, e.g. a lost connection during `watch`. */
  readonly stderr: CliOutput;
  /** Colours on: a terminal, and NO_COLOR unset. */
  readonly colour: boolean;
  /** Aborted on Ctrl-C: long-running commands (`watch`) stop and return. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** A mistake in the command line; printed with a pointer to `--help`, exit code 2. */
export class UsageError extends ProgressrusError {
  override readonly name = 'UsageError';
}
