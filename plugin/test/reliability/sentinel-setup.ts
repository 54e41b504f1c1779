import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../src/testing/redis-server.js';
import { until } from './worker-process.js';

/** The master name the sentinels monitor: ioredis's `name` option. */
export const MASTER_NAME = 'mymaster';

/** A primary, its replica and the sentinels that watch them, on loopback, for tests. */
export interface RedisSentinelSetup {
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  /** `[{ host: '127.0.0.1', port }]` for each sentinel: ioredis's `sentinels` option. */
  readonly addresses: readonly { host: string; port: number }[];
  /** The port of the primary, as the first sentinel reports it now. */
  masterPort(): Promise<number>;
  /** Stops every process, whatever state it is in. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  /** How long a primary may not answer before a sentinel deems it down. @default 1000 */
  readonly downAfterMs?: number;
  /** Sentinel's failover-timeout: a failed election is retried after twice this. @default 2000 */
  readonly failoverTimeoutMs?: number;
}

/**
 * Starts a primary, one replica (`--replicaof`) and 3 sentinels (`redis-server <conf>
 * --sentinel`, quorum 2), each a process of its own on a free port, and resolves once every
 * sentinel knows the replica and its 2 peers: from then on, a primary that dies is replaced
 * within seconds. On any failure, what was started is stopped.
 *
 * @example
 * const setup = await startRedisSentinel();
 * const redis = new Redis({ sentinels: [...setup.addresses], name: MASTER_NAME });
 */
export async function startRedisSentinel(
  options: RedisSentinelOptions = {},
): Promise<RedisSentinelSetup> {
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const primary = await startRedisServer();
    servers.push(primary);
    // Diskless with no delay: the replica's first sync takes milliseconds, not the default 5 s.
    const replica = await startRedisServer({
      args: ['--replicaof', '127.0.0.1', String(primary.port), '--repl-diskless-sync-delay', '0'],
    });
    servers.push(replica);
    await until(
      async () => (await info(replica.port)).includes('master_link_status:up'),
      'the replica to sync',
    );
    // Started after the replica is in sync, so each sentinel's first INFO of the primary lists it
    // (sentinels ask again only every 10 s).
    const config = [
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${MASTER_NAME} ${options.failoverTimeoutMs ?? 2000}`,
      '',
    ].join('\n');
    const sentinels: RedisServer[] = [];
    for (let i = 0; i < 3; i += 1) {
      const sentinel = await startRedisServer({ config, args: ['--sentinel'] });
      servers.push(sentinel);
      sentinels.push(sentinel);
    }
    for (const sentinel of sentinels) {
      await until(
        () => knowsEverything(sentinel.port),
        `sentinel ${sentinel.port} to find its replica and peers`,
        30_000,
      );
    }
    return {
      primary,
      replica,
      sentinels,
      addresses: sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })),
      masterPort: () => withSentinel((sentinels[0] as RedisServer).port, masterPortOf),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function info(port: number): Promise<string> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return await redis.info('replication');
  } catch {
    return '';
  } finally {
    redis.disconnect();
  }
}

async function withSentinel<T>(port: number, ask: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    return await ask(redis);
  } finally {
    redis.disconnect();
  }
}

async function masterPortOf(redis: Redis): Promise<number> {
  const address = (await redis.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [
    string,
    string,
  ];
  return Number(address[1]);
}

/** Whether the sentinel lists the replica as healthy and both other sentinels. */
function knowsEverything(port: number): Promise<boolean> {
  return withSentinel(port, async (redis) => {
    const replicas = (await redis.call('SENTINEL', 'replicas', MASTER_NAME)) as string[][];
    const peers = (await redis.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[];
    const healthy = replicas.filter((fields) => fields[fields.indexOf('flags') + 1] === 'slave');
    return healthy.length === 1 && peers.length === 2;
  });
}
