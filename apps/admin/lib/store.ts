import 'server-only';
import { Redis } from 'ioredis';
import pg from 'pg';
import { RedisStore, type Store, StoreError } from 'progressrus';
import { PostgresStore } from 'progressrus/postgres';
import { env } from './env';

/** The store is down or unreachable: pages say so in words instead of showing a stack trace. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

interface Connections {
  /** Always there: bull-board and the live change feed use Redis whichever store holds the records. */
  readonly redis: Redis;
  readonly store: Store;
  /** Whether reads wait for Redis (RedisStore) or go straight to PostgreSQL. */
  readonly kind: 'redis' | 'postgres';
  readonly describe: string;
}

// One connection per process. Cached on globalThis because `next dev` re-evaluates modules on
// every edit, and each evaluation would otherwise open (and leak) another connection.
const cache = globalThis as typeof globalThis & { __progressrusAdmin?: Connections };

/** How long a request waits for a (re)connecting Redis before it shows "unreachable". */
const READY_TIMEOUT_MS = 2500;

/**
 * The app's Redis connection. Commands fail after one reconnect attempt instead of queueing
 * forever, so a dead Redis turns into a clear message within seconds.
 */
export function redis(): Redis {
  return connections().redis;
}

/** The records' store, as configured (`PROGRESSRUS_STORE`). */
export function store(): Store {
  return connections().store;
}

/** Which store holds the records: with PostgreSQL, writers publish no Redis changes to follow. */
export function storeKind(): 'redis' | 'postgres' {
  return connections().kind;
}

function connections(): Connections {
  if (cache.__progressrusAdmin) return cache.__progressrusAdmin;
  const config = env();
  const connection = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 250, 2000),
    lazyConnect: false,
  });
  // Without a listener ioredis prints every failed reconnect as an unhandled error event.
  connection.on('error', () => {});
  const created: Connections =
    config.store === 'postgres' && config.databaseUrl !== null
      ? {
          redis: connection,
          store: new PostgresStore({ pool: postgresPool(config.databaseUrl) }),
          kind: 'postgres',
          describe: `PostgreSQL at ${redactUrl(config.databaseUrl)}`,
        }
      : {
          redis: connection,
          store: new RedisStore({ connection, prefix: config.prefix, publish: false }),
          kind: 'redis',
          describe: `Redis at ${redactUrl(config.redisUrl)}`,
        };
  cache.__progressrusAdmin = created;
  return created;
}

/**
 * Runs a read or write against the store. Waits briefly for a connecting Redis; turns a
 * connection failure into `StoreUnavailableError` and lets every other error through.
 */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const { redis: connection, store: current, kind, describe } = connections();
  if (kind === 'redis' && connection.status !== 'ready') await waitForReady(connection, describe);
  try {
    return await work(current);
  } catch (error) {
    if (isConnectionError(error)) {
      throw new StoreUnavailableError(`Cannot reach ${describe}.`, { cause: error });
    }
    // The store's own errors are written for operators ("run migrate()"): show them as they are.
    if (error instanceof StoreError)
      throw new StoreUnavailableError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Waits briefly for a (re)connecting Redis, as page reads do, and fails with the pages' own
 * "Cannot reach Redis at …" when it does not come: bull-board's API would otherwise wait for
 * ioredis's reconnects without any bound.
 */
export async function whenRedisReady(): Promise<void> {
  const connection = redis();
  if (connection.status !== 'ready') await waitForReady(connection, redisDescription());
}

/** The error pages and bull-board show when Redis does not answer. */
export function redisUnavailable(cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Cannot reach ${redisDescription()}.`, { cause });
}

function redisDescription(): string {
  return `Redis at ${redactUrl(env().redisUrl)}`;
}

function postgresPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 2500 });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

function waitForReady(connection: Redis, describe: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      reject(new StoreUnavailableError(`Cannot reach ${describe}.`));
    }, READY_TIMEOUT_MS);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    connection.once('ready', onReady);
  });
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'].includes(
      code,
    ) ||
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect/.test(
      error.message,
    )
  );
}

/** `redis://:secret@host:6379/0` → `redis://host:6379/0`: the message may reach a browser. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}
