import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { RedisStore } from '../stores/redis/redis-store.js';
import { type CliCommand, parseCliArgs } from './args.js';
import { connect, DEFAULT_REDIS_URL, RedisUnreachableError } from './connect.js';
import { type CliOutput, type CommandContext, UsageError } from './context.js';
import { deleteCommand } from './delete.js';
import { COMMAND_HELP, HELP } from './help.js';
import { jobsCommand } from './jobs.js';
import { reindexCommand } from './reindex.js';
import { scopesCommand } from './scopes.js';
import { watchCommand } from './watch.js';

/** The outside world of one CLI run; the bin passes the process's, tests their own. */
export interface CliIO {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/**
 * Runs one command line and returns the exit code: 0 done, 1 failure (Redis unreachable, a
 * missing job), 2 bad command line. Never throws for expected failures; prints one line instead.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let redis: Redis | undefined;
  try {
    const { command, url, prefix } = parseCliArgs(argv);
    if (command.name === 'help') {
      io.stdout.write(command.topic === null ? HELP : `${COMMAND_HELP[command.topic]}\n`);
      return 0;
    }
    if (command.name === 'version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    redis = await connect(url ?? io.env.REDIS_URL ?? DEFAULT_REDIS_URL);
    const context: CommandContext = {
      redis,
      store: new RedisStore({
        connection: redis,
        prefix,
        publish: false,
        onMalformed: (error) => io.stderr.write(`${error.message}\n`),
      }),
      stdout: io.stdout,
      stderr: io.stderr,
      colour: io.stdout.isTTY === true && !io.env.NO_COLOR,
      signal: io.signal,
      now: () => new Date(),
    };
    return await dispatch(context, command);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`progressrus: ${error.message}. Run \`progressrus --help\` for usage.\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `progressrus: ${error instanceof RedisUnreachableError ? message : `${message.split('\n')[0]}`}\n`,
    );
    return 1;
  } finally {
    redis?.disconnect();
  }
}

function dispatch(
  context: CommandContext,
  command: Exclude<CliCommand, { name: 'help' | 'version' }>,
): Promise<number> {
  switch (command.name) {
    case 'scopes':
      return scopesCommand(context, command);
    case 'jobs':
      return jobsCommand(context, command.scope, command);
    case 'watch':
      return watchCommand(context, command.scope, command);
    case 'delete':
      return deleteCommand(context, command.scope, command.id);
    case 'reindex':
      return reindexCommand(context);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
