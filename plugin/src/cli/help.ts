/** What `progressrus --help` prints; `progressrus <command> --help` prints the command's part. */
export const COMMAND_HELP = {
  scopes: `progressrus scopes [prefix] [--limit n] [--json]
  Lists scopes with records, newest activity first, e.g. \`progressrus scopes user:\`.
  --limit n   at most n scopes (default 100)
  --json      one ScopeDTO per line`,
  jobs: `progressrus jobs <scope> [--status s,…] [--name prefix] [--sort by] [--order asc|desc]
                 [--limit n] [--cursor c] [--json]
  One page of a scope's jobs with status, percentage, count, rate and ETA, e.g.
  \`progressrus jobs user:3 --status running,stalled --sort startedAt\`.
  --status s,…   only jobs with these statuses (running, stalled, failed, …)
  --name prefix  only jobs whose name starts with prefix, ignoring case
  --sort by      updatedAt (default), startedAt, name or percentage
  --order o      desc (default) or asc
  --limit n      jobs per page, 1–1000 (default 50)
  --cursor c     the next page, as printed after a full page
  --json         one JobDTO per line`,
  watch: `progressrus watch <scope> [--until-done]
  Live progress bars with percentage, rate and ETA, redrawn in place; plain lines, one per
  change, when stdout is not a terminal. Ctrl-C to stop.
  --until-done   exit once the scope has jobs and all of them have finished`,
  delete: `progressrus delete <scope> [id]
  Deletes one job's record, or every record of the scope.`,
  reindex: `progressrus reindex
  Rebuilds every scope's indexes and counters from the hashes in Redis (e.g. records written
  by the Ruby gem; a read repairs one scope by itself). Scans the keyspace: run it as an
  admin task, not in a request path.`,
} as const;

export type CommandName = keyof typeof COMMAND_HELP;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_HELP, name);
}

export const HELP = `Usage: progressrus <command> [options]

Reads the progress records that Progressrus writes to Redis.

Commands:
${Object.values(COMMAND_HELP)
  .map((text) => `  ${text.replaceAll('\n', '\n  ')}`)
  .join('\n\n')}

Options:
  --url <url>        Redis to read (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --prefix <prefix>  key prefix of the records (default: progressrus)
  -h, --help         this help; \`progressrus <command> --help\` for one command
  --version          the version

A scope is written as its key, with ':' between parts: ['user', 3] is user:3.
Exit codes: 0 done, 1 failure (e.g. Redis unreachable), 2 bad command line.
`;
