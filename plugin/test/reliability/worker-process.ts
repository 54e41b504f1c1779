import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, inject } from 'vitest';
import { sleep } from '../helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the current test, last registered first. */
export function afterThisTest(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every line the process printed so far (`start`, `tick`, `done`, `shutdown` …). */
  readonly lines: string[];
  /** `done <jobId> <attemptsStarted>` lines printed so far. */
  readonly done: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/** Starts fixtures/worker-process.ts in a Node process of its own; resolves once its worker runs. */
export async function startWorkerProcess(
  queue: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      QUEUE: queue,
      PROGRESSRUS_PREFIX: prefix,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  afterThisTest(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  const done: string[] = [];
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        lines.push(line);
        if (line === 'ready') resolve();
        if (line.startsWith('done ')) done.push(line);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => reject(new Error(`worker process exited with ${code}:\n${output}`)));
  });
  return { child, lines, done, exited };
}

/** Polls `check` every 50 ms until it returns something truthy. */
export async function until<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}
