import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressrusError } from '../core/errors.js';

/** Thrown when no `redis-server` binary can be found on PATH. */
export class RedisServerNotFoundError extends ProgressrusError {
  override readonly name = 'RedisServerNotFoundError';
  constructor(binary: string, options?: ErrorOptions) {
    super(
      [
        `Could not start \`${binary}\`: it is not installed or not on PATH.`,
        'Install Redis, or point REDIS_URL at a running server:',
        '  Debian/Ubuntu: sudo apt-get install redis-server',
        '  macOS:         brew install redis',
        '  Docker:        docker compose up -d redis   (then REDIS_URL=redis://localhost:6379)',
      ].join('\n'),
      options,
    );
  }
}

export interface RedisServerOptions {
  /** Binary to run. @default 'redis-server' */
  readonly binary?: string;
  /** Port to listen on; a free port when omitted. */
  readonly port?: number;
  /** Extra command-line arguments, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
  /** How long to wait for the server to accept connections. @default 10000 */
  readonly startTimeoutMs?: number;
  /**
   * The server's data folder, for persistence across restarts (with `args` such as
   * `['--appendonly', 'yes']`): a folder of yours, kept when the server stops, so a server
   * started again on it reads its AOF back. @default a fresh temporary folder, removed on stop
   */
  readonly dir?: string;
  /**
   * The text of a configuration file, written to the server's folder and loaded before the
   * command-line arguments. A Sentinel needs one (with `args: ['--sentinel']`): it rewrites the
   * file as it learns its replicas, peers and failovers. @default none
   */
  readonly config?: string;
  /**
   * Run the server in a process group of its own, so that a terminal's Ctrl-C reaches only
   * the parent, which can then stop its work before it stops the server. @default false
   */
  readonly detached?: boolean;
}

/** A private redis-server process, with no persistence, in a temporary folder. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new ProgressrusError('Could not allocate a free port'));
      });
    });
  });
}

/**
 * Starts a private `redis-server` on loopback: no RDB, no AOF, data in a fresh temporary
 * folder. Used by the test setup and by `npm start` when REDIS_URL is unset.
 *
 * @example
 * const redis = await startRedisServer();
 * process.env.REDIS_URL = redis.url;
 * // ...
 * await redis.stop();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'progressrus-redis-')));
  // redis-server reads a configuration file only as its first argument.
  const configFile = options.config === undefined ? [] : [join(dir, 'redis.conf')];
  if (options.config !== undefined) await writeFile(configFile[0] as string, options.config);
  const child = spawn(
    binary,
    [
      ...configFile,
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false },
  );
  try {
    await waitUntilReady(child, binary, options.startTimeoutMs ?? 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        if (ownDir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

function waitUntilReady(child: ChildProcess, binary: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new ProgressrusError(`redis-server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // A Sentinel never says it is ready; it has a listening socket before it prints its id.
      if (output.includes('Ready to accept connections') || output.includes('Sentinel ID is')) finish();
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      // Keep draining the pipes so a chatty server never blocks on a full buffer.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ENOENT' ? new RedisServerNotFoundError(binary, { cause: error }) : error);
    const onExit = (code: number | null) => finish(new ProgressrusError(`redis-server exited with code ${code}:\n${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', onError);
    child.once('exit', onExit);
  });
}
