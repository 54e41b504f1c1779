import type { JobsPageDTO } from '../../core/dto.js';
import { jsonResponse } from '../http-error.js';
import { parseJobsQuery } from '../query.js';
import type { Route } from './route.js';

/**
 * `GET /jobs?scope=&status=&name=&sort=&order=&cursor=&limit=`: one page of a scope's jobs
 * with the scope's counts by status, from the store's indexes: one page costs one page.
 */
export const listJobs: Route = async ({ url, options, typical, authorize }) => {
  const { scope, query } = parseJobsQuery(url.searchParams);
  await authorize(scope);
  const page = await options.store.jobs(scope, query);
  const body: JobsPageDTO = await typical.page(page);
  return jsonResponse(body);
};
