import { HttpError, jsonResponse } from '../http-error.js';
import { parseJobQuery } from '../query.js';
import type { Route } from './route.js';

/** `GET /job?scope=&id=`: one job, or 404. */
export const getJob: Route = async ({ url, options, typical, authorize }) => {
  const { scope, id } = parseJobQuery(url.searchParams);
  await authorize(scope);
  const tick = await options.store.find(scope, id);
  if (tick === null)
    throw new HttpError(
      'not_found',
      `No job ${JSON.stringify(id)} in scope ${JSON.stringify(scope.join(':'))}`,
    );
  return jsonResponse(await typical.dto(tick));
};
