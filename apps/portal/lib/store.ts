import 'server-only';
import { RedisStore, toJobDTO, type JobDTO } from 'progressrus';
import { env } from './env';
import { redis } from './redis';
import { userScope } from './users';

const cache = globalThis as typeof globalThis & { __progressrusPortalStore?: RedisStore };

/** The records' store, on the portal's Redis connection. */
export function store(): RedisStore {
  cache.__progressrusPortalStore ??= new RedisStore({ connection: redis(), prefix: env().prefix });
  return cache.__progressrusPortalStore;
}

/** How many jobs the page renders on the server, before the live list takes over. */
const FIRST_PAGE = 50;

/**
 * A user's latest jobs, read on the server so "My jobs" shows them in its first HTML instead
 * of after the event stream's snapshot. Undefined when Redis does not answer: the live list
 * then loads them itself, and says so if it cannot.
 */
export async function firstJobs(userId: number): Promise<JobDTO[] | undefined> {
  try {
    const page = await store().jobs(userScope(userId), { limit: FIRST_PAGE });
    return page.items.map((tick) => toJobDTO(tick));
  } catch {
    return undefined;
  }
}
