import type { Scope } from '../core/scope.js';
import type { CommandContext } from './context.js';

/** `progressrus delete <scope> [id]`: deletes one record, or every record of the scope. */
export async function deleteCommand(
  context: CommandContext,
  scope: Scope,
  id: string | undefined,
): Promise<number> {
  const key = scope.join(':');
  if (id === undefined) {
    const count = (await context.store.scope(scope)).length;
    await context.store.delete(scope);
    context.stdout.write(`Deleted scope ${key} (${count} ${count === 1 ? 'job' : 'jobs'}).\n`);
    return 0;
  }
  if ((await context.store.find(scope, id)) === null) {
    context.stdout.write(`No job ${JSON.stringify(id)} in ${key}.\n`);
    return 1;
  }
  await context.store.delete(scope, id);
  context.stdout.write(`Deleted job ${id} of ${key}.\n`);
  return 0;
}
