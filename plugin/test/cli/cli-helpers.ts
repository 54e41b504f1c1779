import type { CliIO } from '../../src/cli/run.js';

/** Collects what the CLI writes; `isTTY`, `columns` and `rows` stand in for a terminal. */
export class OutputBuffer {
  text = '';
  readonly isTTY: boolean;
  readonly columns: number;
  readonly rows: number;
  #waiters: { match: RegExp; resolve: () => void }[] = [];

  constructor(terminal: { isTTY?: boolean; columns?: number; rows?: number } = {}) {
    this.isTTY = terminal.isTTY ?? false;
    this.columns = terminal.columns ?? 100;
    this.rows = terminal.rows ?? 24;
  }

  write(chunk: string): boolean {
    this.text += chunk;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.match.test(this.text)) return true;
      waiter.resolve();
      return false;
    });
    return true;
  }

  /** Resolves once the output matches; the test's timeout bounds the wait. */
  until(match: RegExp): Promise<void> {
    if (match.test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

/** The streams and environment of one in-process CLI run. */
export function cliIO(
  env: Record<string, string | undefined>,
  terminal?: { isTTY?: boolean; columns?: number; rows?: number },
): CliIO & { stdout: OutputBuffer; stderr: OutputBuffer; abort(): void } {
  const controller = new AbortController();
  return {
    stdout: new OutputBuffer(terminal),
    stderr: new OutputBuffer(),
    env,
    signal: controller.signal,
    abort: () => controller.abort(),
  };
}
