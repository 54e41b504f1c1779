import type { CommandContext } from './context.js';

/**
 * `progressrus reindex`: rebuilds every scope's indexes and counters from the hashes in Redis,
 * e.g. after data written by the Ruby gem. Scans the keyspace: an admin task.
 */
export async function reindexCommand(context: CommandContext): Promise<number> {
  const count = await context.store.reindex();
  context.stdout.write(`Indexed ${count} ${count === 1 ? 'scope' : 'scopes'}.\n`);
  return 0;
}
