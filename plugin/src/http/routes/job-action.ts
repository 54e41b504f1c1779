import { JobActionRefusedError, JobNotFoundError } from '../../core/errors.js';
import type { JobActionName } from '../../core/record.js';
import { HttpError, jsonResponse } from '../http-error.js';
import { checkOrigin } from '../origin.js';
import { parseJobQuery } from '../query.js';
import type { Route } from './route.js';

/**
 * `POST /job/cancel?scope=&id=` and `POST /job/retry?scope=&id=`: the action through the
 * handler's `actions` (a `JobActions`), answered with its `ActionResult`. Checked in this
 * order: the Origin (CSRF), the query, the access to the action on that scope (token minted
 * with it, or `authorize`), then the job (404 when the scope does not hold it, 409 when its
 * state does not allow the action).
 */
export function jobAction(action: JobActionName): Route {
  return async ({ request, url, options, authorize }) => {
    const actor = options.actions;
    if (actor === null) throw new HttpError('not_found', `No route ${url.pathname}`);
    checkOrigin(request, url, options.allowedOrigins);
    const { scope, id } = parseJobQuery(url.searchParams);
    await authorize(scope, action);
    try {
      return jsonResponse(await actor.act(action, scope, id));
    } catch (error) {
      if (error instanceof JobNotFoundError) throw new HttpError('not_found', error.message);
      if (error instanceof JobActionRefusedError) throw new HttpError('conflict', error.message);
      throw error;
    }
  };
}
