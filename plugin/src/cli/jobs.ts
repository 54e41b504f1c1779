import { toJobDTO } from '../core/dto.js';
import type { Scope } from '../core/scope.js';
import type { Tick } from '../core/tick.js';
import type { CommandContext } from './context.js';
import { formatPlainLine } from './format.js';

export interface JobsCommandOptions {
  readonly json: boolean;
}

/** `progressrus jobs <scope>`: every record of a scope, one line each. */
export async function jobsCommand(
  context: CommandContext,
  scope: Scope,
  options: JobsCommandOptions,
): Promise<number> {
  const now = context.now();
  const ticks = sortJobs(await context.store.scope(scope));
  for (const tick of ticks) {
    context.stdout.write(
      options.json ? `${JSON.stringify(toJobDTO(tick, now))}\n` : `${formatPlainLine(tick, now)}\n`,
    );
  }
  if (ticks.length === 0 && !options.json) context.stdout.write(`No jobs in ${scope.join(':')}.\n`);
  return 0;
}

/** Oldest first, so a job keeps its place on screen while it runs. */
export function sortJobs(ticks: readonly Tick[]): Tick[] {
  const started = (tick: Tick) => tick.startedAt?.getTime() ?? tick.updatedAt?.getTime() ?? 0;
  return [...ticks].sort((a, b) => started(a) - started(b) || a.id.localeCompare(b.id));
}
