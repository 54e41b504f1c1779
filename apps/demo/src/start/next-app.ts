import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ChildGroup } from './child-group.js';

export interface NextAppOptions {
  /** The app's folder (apps/admin, apps/portal). */
  readonly dir: string;
  /** What the messages call it: 'The admin app'. */
  readonly name: string;
  readonly port: number;
  /** Variables of the app's lib/env.ts (REDIS_URL, ADMIN_PASSWORD, PORTAL_SECRET…). */
  readonly env: Readonly<Record<string, string>>;
  /** How long to wait for the first answer. @default 60000 */
  readonly startTimeoutMs?: number;
}

export interface NextAppServer {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  /** The last lines it printed, for error messages. */
  output(): string;
}

/**
 * Runs an app's production build (`next start`) on loopback, in a process group of its own
 * (stopped by the ChildGroup), and waits until it answers HTTP.
 */
export async function startNextApp(
  children: ChildGroup,
  options: NextAppOptions,
): Promise<NextAppServer> {
  const nextBin = createRequire(join(options.dir, 'package.json')).resolve('next/dist/bin/next');
  const child = spawn(
    process.execPath,
    [nextBin, 'start', '--port', String(options.port), '--hostname', '127.0.0.1'],
    {
      cwd: options.dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NEXT_TELEMETRY_DISABLED: '1',
        ...options.env,
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  children.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited with code ${child.exitCode}:\n${output}`);
    try {
      // Any answer, 401 included: the server is up.
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return { name: options.name, url, process: child, output: () => output };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(
    `${options.name} did not answer within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`,
  );
}

/** `preferred` when nothing listens on it, else a free port the kernel picks (never one of `taken`). */
export async function choosePort(
  preferred: number,
  taken: readonly number[] = [],
): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(address && typeof address === 'object' ? address.port : null));
      });
    });
  const free = async (port: number) => {
    const got = await tryListen(port);
    return got !== null && !taken.includes(got) ? got : null;
  };
  return (await free(preferred)) ?? (await free(0)) ?? (await free(0)) ?? preferred;
}
