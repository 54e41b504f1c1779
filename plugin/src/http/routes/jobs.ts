import { type JobDTO, type PageDTO, toJobDTO } from '../../core/dto.js';
import { jsonResponse } from '../http-error.js';
import { pageJobs } from '../job-page.js';
import { parseJobsQuery } from '../query.js';
import type { Route } from './route.js';

/** `GET /jobs?scope=&status=&sort=&order=&cursor=&limit=`: one page of a scope's jobs. */
export const listJobs: Route = async ({ url, options, authorize }) => {
  const params = parseJobsQuery(url.searchParams);
  await authorize(params.scope);
  // One read of the scope, then filter, sort and page in memory: only the page becomes DTOs.
  const page = pageJobs(await options.store.scope(params.scope), params);
  const body: PageDTO<JobDTO> = {
    items: page.items.map((tick) => toJobDTO(tick)),
    nextCursor: page.nextCursor,
  };
  return jsonResponse(body);
};
