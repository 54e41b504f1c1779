import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildReport, ParentCommand } from './messages.js';

/**
 * One child of the `viewers` bench: a TypeScript file run by node + tsx with `ulimit -n` at its
 * hard limit, talking over IPC. Its stdout goes to stderr, so the bench's stdout holds only
 * the table.
 */
export class BenchChild {
  readonly #process: ChildProcess;
  readonly #waiting: { type: ChildReport['type']; resolve: (report: ChildReport) => void }[] = [];
  readonly #exited: Promise<void>;

  constructor(file: string, env: Record<string, string>) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    this.#process = spawn(
      'sh',
      // 10,000 sockets need more file descriptors than a default soft limit of 1,024: raised to
      // the hard limit (not above: that takes privileges a container may not have).
      [
        '-c',
        'ulimit -n "$(ulimit -Hn)" && exec "$@"',
        'sh',
        process.execPath,
        '--expose-gc',
        '--import',
        'tsx',
        path,
      ],
      { stdio: ['ignore', 2, 2, 'ipc'], env: { ...process.env, ...env } },
    );
    this.#process.on('message', (report: ChildReport) => {
      const index = this.#waiting.findIndex((waiting) => waiting.type === report.type);
      if (index !== -1) this.#waiting.splice(index, 1)[0]?.resolve(report);
    });
    this.#exited = new Promise((resolve) => this.#process.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.#process.pid as number;
  }

  /** Waits for the child's next report of this type. */
  next<T extends ChildReport['type']>(type: T): Promise<Extract<ChildReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ type, resolve: resolve as (report: ChildReport) => void });
      void this.#exited.then(() => reject(new Error(`${type}: the child exited first`)));
    });
  }

  send(command: ParentCommand): void {
    this.#process.send(command);
  }

  /** Asks it to stop, then kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    try {
      this.send({ type: 'stop' });
    } catch {
      // The IPC channel is gone: the child is on its way out.
    }
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
