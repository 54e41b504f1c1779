import { type ScopeDTO, toScopeDTO, type PageDTO } from '../../core/dto.js';
import type { Status } from '../../core/record.js';
import { jsonResponse } from '../http-error.js';
import { parseScopesQuery } from '../query.js';
import type { Route } from './route.js';

/** `GET /scopes?prefix=&cursor=&limit=`: scopes newest activity first, with job counts by status. */
export const listScopes: Route = async ({ url, options, authorize }) => {
  const { prefix, cursor, limit } = parseScopesQuery(url.searchParams);
  await authorize(null);
  const page = await options.store.scopes({ prefix, cursor, limit });
  // One read per listed scope, at most `limit` of them: counts stay exact without a counter to keep in sync.
  const items = await Promise.all(
    page.items.map(async (entry) => {
      const counts: Partial<Record<Status, number>> = {};
      for (const tick of await options.store.scope(entry.scope))
        counts[tick.status] = (counts[tick.status] ?? 0) + 1;
      return toScopeDTO(entry, counts);
    }),
  );
  const body: PageDTO<ScopeDTO> = { items, nextCursor: page.nextCursor };
  return jsonResponse(body);
};
