import { toJobDTO } from '../core/dto.js';
import type { Scope } from '../core/scope.js';
import type { JobsQuery } from '../stores/job-query.js';
import type { CommandContext } from './context.js';
import { formatPlainLine, formatSummary } from './format.js';

export interface JobsCommandOptions {
  readonly query: JobsQuery;
  readonly json: boolean;
}

/**
 * `progressrus jobs <scope>`: one page of a scope's jobs (the store's query: filters, sort,
 * cursor), one line each, then, when there is more, how many and the option for the next page.
 */
export async function jobsCommand(
  context: CommandContext,
  scope: Scope,
  options: JobsCommandOptions,
): Promise<number> {
  const now = context.now();
  const page = await context.store.jobs(scope, options.query);
  for (const tick of page.items) {
    context.stdout.write(
      options.json ? `${JSON.stringify(toJobDTO(tick, now))}\n` : `${formatPlainLine(tick, now)}\n`,
    );
  }
  if (page.items.length === 0 && !options.json) {
    context.stdout.write(page.total === 0 ? `No jobs in ${scope.join(':')}.\n` : 'No jobs match.\n');
  }
  if (page.nextCursor !== null) {
    // With --json, stdout holds JobDTOs only: the hint goes to stderr.
    const out = options.json ? context.stderr : context.stdout;
    out.write(
      `${page.items.length} shown; the scope has ${formatSummary(page.counts)}. Next page: --cursor ${page.nextCursor}\n`,
    );
  }
  return 0;
}
