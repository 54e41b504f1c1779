import { toScopeDTO } from '../core/dto.js';
import type { CommandContext } from './context.js';
import { formatAge } from './format.js';

export interface ScopesCommandOptions {
  /** Only scopes whose key starts with this, e.g. `user:`. */
  readonly prefix: string;
  /** Stop after this many scopes. */
  readonly limit: number;
  readonly json: boolean;
}

const PAGE_SIZE = 500;

/** `progressrus scopes [prefix]`: scopes with records, newest activity first. */
export async function scopesCommand(
  context: CommandContext,
  options: ScopesCommandOptions,
): Promise<number> {
  const { store, stdout } = context;
  const now = context.now();
  let cursor: string | null = null;
  let listed = 0;
  do {
    const page = await store.scopes({
      prefix: options.prefix,
      cursor,
      limit: Math.min(PAGE_SIZE, options.limit - listed),
    });
    for (const entry of page.items) {
      stdout.write(
        options.json
          ? `${JSON.stringify(toScopeDTO(entry))}\n`
          : `${entry.key}  ${formatAge(entry.lastActivityAt, now)}\n`,
      );
    }
    listed += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null && listed < options.limit);
  if (listed === 0 && !options.json) {
    stdout.write(
      options.prefix ? `No scopes start with ${JSON.stringify(options.prefix)}.\n` : 'No scopes.\n',
    );
  }
  return 0;
}
