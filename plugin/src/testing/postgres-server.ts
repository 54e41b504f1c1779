import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProgressrusError } from '../core/errors.js';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** Thrown when no PostgreSQL server binaries (`initdb`, `pg_ctl`) can be found. */
export class PostgresServerNotFoundError extends ProgressrusError {
  override readonly name = 'PostgresServerNotFoundError';
  constructor(searched: readonly string[], options?: ErrorOptions) {
    super(
      [
        `Could not find PostgreSQL's \`initdb\` and \`pg_ctl\` (looked in ${searched.join(', ')}).`,
        'Install the PostgreSQL server, or point DATABASE_URL at a running one:',
        '  Debian/Ubuntu: sudo apt-get install postgresql',
        '  macOS:         brew install postgresql',
        '  Docker:        docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres',
      ].join('\n'),
      options,
    );
  }
}

export interface PostgresServerOptions {
  /** Folder holding `initdb` and `pg_ctl`. @default the newest /usr/lib/postgresql/<version>/bin, else PATH */
  readonly binDir?: string;
  /** Port to listen on; a free port when omitted. */
  readonly port?: number;
  /**
   * The system user that runs the server when this process is root (PostgreSQL refuses to
   * run as root). @default 'postgres'
   */
  readonly user?: string;
  /** How long to wait for the server to accept connections. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** A private PostgreSQL cluster in a temporary folder, listening on loopback. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Creates a throwaway PostgreSQL cluster with `initdb` in a temporary folder and starts it
 * on a free loopback port. Durability is off (`fsync=off`): it is for tests and benchmarks.
 * As root, the server runs as the `postgres` user through `runuser`.
 *
 * @example
 * const postgres = await startPostgresServer();
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: postgres.url }) });
 * // ...
 * await postgres.stop();
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServer> {
  const bin = await findBinDir(options.binDir);
  const port = options.port ?? (await freePort());
  const asRoot = process.getuid?.() === 0;
  const user = options.user ?? 'postgres';
  const dir = await mkdtemp(join(tmpdir(), 'progressrus-postgres-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  // As root, every step runs as `user`, who must own the folder.
  // cwd: the server user may not be allowed into ours, and initdb/pg_ctl refuse to start then.
  const command = (file: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', user, '--', file, ...args], { cwd: dir })
      : run(file, args, { cwd: dir });
  try {
    if (asRoot) await run('chown', [user, dir]).catch((error: unknown) => failAsRoot(user, error));
    await command(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      // A throwaway cluster: durability only slows it down.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    const timeoutS = String(Math.ceil((options.startTimeoutMs ?? 30_000) / 1000));
    await command(join(bin, 'pg_ctl'), [
      'start',
      '-D',
      data,
      '-l',
      log,
      '-w',
      '-t',
      timeoutS,
      '-o',
      serverOptions,
    ]);
  } catch (error) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    const output =
      error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : '';
    throw new ProgressrusError(`PostgreSQL did not start: ${output}${serverLog}`.trim(), { cause: error });
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      stopped ??= (async () => {
        await command(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']).catch(
          () => {},
        );
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

async function findBinDir(binDir: string | undefined): Promise<string> {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (binDir !== undefined) {
    if (has(binDir)) return binDir;
    throw new PostgresServerNotFoundError([binDir]);
  }
  // Debian keeps the server binaries off PATH, one folder per major version.
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const dir = join('/usr/lib/postgresql', version, 'bin');
    if (has(dir)) return dir;
  }
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir !== '' && has(dir));
  if (onPath !== undefined) return onPath;
  throw new PostgresServerNotFoundError(['/usr/lib/postgresql/*/bin', 'PATH']);
}

function failAsRoot(user: string, error: unknown): never {
  throw new ProgressrusError(
    `PostgreSQL refuses to run as root, and the system user \`${user}\` that should run it is missing ` +
      '(installing the Debian package postgresql creates it).',
    { cause: error },
  );
}
