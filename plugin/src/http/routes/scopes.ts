import { type PageDTO, type ScopeDTO, toScopeDTO } from '../../core/dto.js';
import { jsonResponse } from '../http-error.js';
import { parseScopesQuery } from '../query.js';
import type { Route } from './route.js';

/** `GET /scopes?prefix=&cursor=&limit=`: scopes newest activity first, with job counts by status from the store's counters. */
export const listScopes: Route = async ({ url, options, authorize }) => {
  const { prefix, cursor, limit } = parseScopesQuery(url.searchParams);
  await authorize(null);
  const page = await options.store.scopes({ prefix, cursor, limit });
  const body: PageDTO<ScopeDTO> = { items: page.items.map(toScopeDTO), nextCursor: page.nextCursor };
  return jsonResponse(body);
};
