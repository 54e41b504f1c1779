import { parseArgs } from 'node:util';
import { ProgressrusArgumentError } from '../core/errors.js';
import { normalizeScope, parseScopeKey } from '../core/scope.js';
import type { Status } from '../core/record.js';
import {
  DEFAULT_JOBS_LIMIT,
  type JobSort,
  type JobsQuery,
  normalizeJobsQuery,
  type SortOrder,
} from '../stores/job-query.js';
import { UsageError } from './context.js';
import { type CommandName, isCommandName } from './help.js';

/** The command line, parsed and checked: what `runCli` dispatches on. */
export type CliCommand =
  | { readonly name: 'help'; readonly topic: CommandName | null }
  | { readonly name: 'version' }
  | {
      readonly name: 'scopes';
      readonly prefix: string;
      readonly limit: number;
      readonly json: boolean;
    }
  | {
      readonly name: 'jobs';
      readonly scope: string[];
      readonly query: JobsQuery;
      readonly json: boolean;
    }
  | { readonly name: 'watch'; readonly scope: string[]; readonly untilDone: boolean }
  | { readonly name: 'delete'; readonly scope: string[]; readonly id: string | undefined }
  | { readonly name: 'reindex' };

export interface ParsedArgs {
  readonly command: CliCommand;
  readonly url: string | undefined;
  readonly prefix: string;
}

const DEFAULT_SCOPES_LIMIT = 100;

/** How many positionals each command takes, after its name: [least, most]. */
const ARITY: Record<CommandName, readonly [number, number]> = {
  scopes: [0, 1],
  jobs: [1, 1],
  watch: [1, 1],
  delete: [1, 2],
  reindex: [0, 0],
};

/**
 * Parses `argv` (without `node` and the script). Throws a `UsageError` with a message fit for
 * the terminal on anything it does not understand.
 *
 * @example
 * parseCliArgs(['watch', 'user:3', '--prefix', 'myapp']);
 */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        prefix: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        json: { type: 'boolean' },
        limit: { type: 'string' },
        status: { type: 'string' },
        name: { type: 'string' },
        sort: { type: 'string' },
        order: { type: 'string' },
        cursor: { type: 'string' },
        'until-done': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const prefix = typeof values.prefix === 'string' ? values.prefix : 'progressrus';
  if (prefix.length === 0) throw new UsageError('--prefix must not be empty');
  const url = typeof values.url === 'string' ? values.url : undefined;
  const [name, ...rest] = positionals;
  const command = toCommand(name, rest, values);
  return { command, url, prefix };
}

function toCommand(
  name: string | undefined,
  rest: string[],
  values: Record<string, string | boolean | undefined>,
): CliCommand {
  if (values.version === true) return { name: 'version' };
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommandName(topic))
      throw new UsageError(`Unknown command ${JSON.stringify(topic)}`);
    return { name: 'help', topic: topic ?? null };
  }
  if (!isCommandName(name)) throw new UsageError(`Unknown command ${JSON.stringify(name)}`);
  if (values.help === true) return { name: 'help', topic: name };
  const [least, most] = ARITY[name];
  if (rest.length < least || rest.length > most) {
    throw new UsageError(
      `\`${name}\` takes ${least === most ? least : `${least} to ${most}`} argument(s), got ${rest.length}`,
    );
  }
  const json = values.json === true;
  switch (name) {
    case 'scopes':
      return { name, prefix: rest[0] ?? '', limit: parseLimit(values.limit), json };
    case 'jobs':
      return { name, scope: parseScope(rest[0]), query: parseJobsQuery(values), json };
    case 'watch':
      return { name, scope: parseScope(rest[0]), untilDone: values['until-done'] === true };
    case 'delete':
      return { name, scope: parseScope(rest[0]), id: rest[1] };
    case 'reindex':
      return { name };
  }
}

/** `user:3` → `['user', '3']`, checked like any scope. */
function parseScope(text: string | undefined): string[] {
  try {
    return normalizeScope(parseScopeKey(text ?? ''));
  } catch (error) {
    if (error instanceof ProgressrusArgumentError)
      throw new UsageError(`Bad scope ${JSON.stringify(text)}: ${error.message}`);
    throw error;
  }
}

/** `--status running,failed --name imp --sort name --order asc --limit 20 --cursor …`, checked by the store's rules. */
function parseJobsQuery(values: Record<string, string | boolean | undefined>): JobsQuery {
  const text = (option: string) => (typeof values[option] === 'string' ? values[option] : undefined);
  const status = text('status');
  const query: JobsQuery = {
    statuses: status === undefined ? null : (status.split(',') as Status[]),
    name: text('name') ?? null,
    sort: (text('sort') ?? 'updatedAt') as JobSort,
    order: (text('order') ?? 'desc') as SortOrder,
    cursor: text('cursor') ?? null,
    limit: values.limit === undefined ? DEFAULT_JOBS_LIMIT : Number(values.limit),
  };
  try {
    normalizeJobsQuery(query);
  } catch (error) {
    // "Expected `statuses` …" names the option as the store does; the flag is singular.
    if (error instanceof ProgressrusArgumentError) throw new UsageError(error.message.replace('`statuses`', '`--status`'));
    throw error;
  }
  return query;
}

function parseLimit(text: string | boolean | undefined): number {
  if (text === undefined) return DEFAULT_SCOPES_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a whole number ≥ 1, got ${JSON.stringify(text)}`);
  return limit;
}
