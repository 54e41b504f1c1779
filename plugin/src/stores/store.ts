import type { Scope, ScopeEntry } from '../core/scope.js';
import type { StoreWriter } from '../core/store-writer.js';
import type { Tick } from '../core/tick.js';
import type { TypicalDuration } from '../core/durations.js';
import type { JobsPage, JobsQuery } from './job-query.js';

// Defined in core, which writers and the read model use without the stores; listed here with the rest of the contract.
export type { ScopeEntry, StoreWriter };

export interface ScopesQuery {
  /** Only scopes whose key starts with this text: `'user:'` for every user, `'user:3421'`. @default '' */
  readonly prefix?: string;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | null;
  /** Page size, 1–1000. @default 50 */
  readonly limit?: number;
}

/** A page of scopes, newest activity first. `nextCursor` is null on the last page. */
export interface ScopesPage {
  readonly items: readonly ScopeEntry[];
  readonly nextCursor: string | null;
}

/** What a reader needs: the HTTP handler, the CLI and the admin read records and scopes. */
export interface StoreReader {
  /** One record, or null when it does not exist or has expired. */
  find(scope: Scope, id: string): Promise<Tick | null>;
  /**
   * Every live (unexpired) record of a scope. Malformed records are skipped and reported.
   * Reads the whole scope: for export-style uses, never in a request path.
   */
  scope(scope: Scope): Promise<Tick[]>;
  /** Scopes with records, newest activity first, served from an index (never a keyspace scan). */
  scopes(query?: ScopesQuery): Promise<ScopesPage>;
  /**
   * One page of a scope's jobs, filtered, sorted and after a cursor, with the scope's counts
   * by status. Costs one page, however large the scope: every store answers it from indexes.
   */
  jobs(scope: Scope, query?: JobsQuery): Promise<JobsPage>;
  /**
   * How long jobs of this name (and BullMQ queue) usually take, from the last completed ones;
   * null before any completed. Every store adds a completion to these figures inside the write
   * of the completed record (see `core/durations.ts`): they cost no write of their own.
   */
  typicalDuration(name: string, queue?: string | null): Promise<TypicalDuration | null>;
}

/**
 * Where records live. Every store implements the same contract (RedisStore, MemoryStore,
 * PostgresStore) so writers and readers never care which one they talk to.
 */
export interface Store extends StoreWriter, StoreReader {
  /** Deletes one record, or the whole scope when `id` is omitted. */
  delete(scope: Scope, id?: string): Promise<void>;
}

/** Options every store takes. */
export interface StoreOptions {
  /** Called with a `MalformedRecordError` for each record that cannot be decoded. @default console.warn */
  readonly onMalformed?: (error: Error) => void;
  /** The clock, in ms since the epoch; tests inject one. @default Date.now */
  readonly now?: () => number;
}
