import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from 'progressrus/testing';
import { isBuilt, type Workspace } from '../../demo/src/start/build.js';

/** apps/admin */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** A Next.js app of the repo: its folder, and its workspace (whose build inputs build.ts lists). */
export interface NextApp {
  readonly dir: string;
  readonly workspace: Workspace;
  /** The app's own launcher of `next start`, relative to `dir` (the admin's runs several processes). */
  readonly serve?: string;
}

export const ADMIN_APP: NextApp = { dir: APP_DIR, workspace: '@progressrus/admin', serve: 'serve.mjs' };

/**
 * Runs `next build` unless `.next` already holds a build newer than every source (turbo's
 * `build` task, or an earlier run, made it): the e2e tests always run the code as it is.
 */
export async function ensureBuild(app: NextApp = ADMIN_APP): Promise<void> {
  // Another `next build` of this app (turbo, `npm start`) may be running: wait for it, then
  // use its build if it is fresh.
  for (let attempt = 0; attempt < 60; attempt += 1) {
    if (isBuilt(app.workspace)) return;
    const { code, output } = await build(app.dir);
    if (code === 0) return;
    if (!output.includes('Another next build process is already running')) {
      throw new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  throw new Error(`Another next build of ${app.dir} kept running for 5 minutes`);
}

async function build(dir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: output.text() };
}

export interface NextServer {
  readonly url: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `next start` on a free loopback port with exactly the given environment (plus PATH,
 * HOME and NODE_ENV=production), and waits until it answers.
 */
export async function startNextServer(
  env: Record<string, string>,
  app: NextApp = ADMIN_APP,
): Promise<NextServer> {
  const port = await freePort();
  // `next start` always runs the production build.
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NEXT_TELEMETRY_DISABLED: '1',
    ...env,
    NODE_ENV: 'production',
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [...(app.serve ? [join(app.dir, app.serve)] : [NEXT_BIN, 'start']), '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: app.dir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const output = collect(child);
  const url = `http://127.0.0.1:${port}`;
  const server: NextServer = {
    url,
    process: child,
    output: output.text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole group: `next start` runs the server in a child process of its own.
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`next start exited with ${child.exitCode}:\n${output.text()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await server.stop();
  throw new Error(`next start did not answer within 60 s:\n${output.text()}`);
}

/** Runs `next start` and waits for it to exit by itself (it should: the environment is invalid). */
export async function startExpectingExit(
  env: Record<string, string>,
  app: NextApp = ADMIN_APP,
): Promise<{ code: number | null; output: string }> {
  const server = await startNextServer(env, app).catch((error: Error) => error);
  if (server instanceof Error) {
    const match = /next start exited with (\d+)/.exec(server.message);
    return { code: match ? Number(match[1]) : null, output: server.message };
  }
  await server.stop();
  return { code: 0, output: server.output() };
}

function collect(child: ChildProcess): { text: () => string } {
  let text = '';
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => text };
}

/** The pids whose parent is `pid` (Linux /proc): the processes of a `WEB_CONCURRENCY` server. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && parentOf(Number(name)) === pid)
    .map(Number);
}

/** `/proc/<pid>/stat` after the command, which may hold spaces: fields 3 (state) onwards. */
export function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited meanwhile
  }
}

function parentOf(pid: number): number | null {
  const fields = procStat(pid);
  return fields === null ? null : Number(fields[1]);
}
