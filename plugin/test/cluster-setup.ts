import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, type RedisServer, startRedisServer } from '../src/testing/redis-server.js';

const run = promisify(execFile);

/** A Redis Cluster of masters only, on loopback, for tests. */
export interface RedisCluster {
  /** One redis-server per master. */
  readonly servers: readonly RedisServer[];
  /** `[{ host: '127.0.0.1', port }]` for each master: the startup nodes of an ioredis `Cluster`. */
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes with cluster mode on, joins them with
 * `redis-cli --cluster create` (slots spread evenly, no replicas) and waits until every node
 * reports `cluster_state:ok`.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const connection = new Cluster([...cluster.nodes]);
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      // The server runs in its own temporary folder, so a relative nodes.conf lands there. The
      // bus port is chosen too: the default, port + 10000, may be taken or above 65535.
      const busPort = await freePort();
      servers.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await Promise.all(servers.map((server) => waitForClusterOk(server.port)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    stop,
  };
}

async function waitForClusterOk(port: number, timeoutMs = 20_000): Promise<void> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  try {
    await redis.connect();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await redis.cluster('INFO');
      if (info.includes('cluster_state:ok')) return;
      if (Date.now() > deadline)
        throw new Error(`Cluster node ${port} not ok after ${timeoutMs} ms:\n${info}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    redis.disconnect();
  }
}
