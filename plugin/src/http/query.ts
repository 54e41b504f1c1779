import { expected } from '../core/errors.js';
import { STATUSES, type Status } from '../core/record.js';
import { JOB_SORTS, type JobsQuery, normalizeJobsQuery, SORT_ORDERS } from '../stores/job-query.js';
import { normalizeScope, SCOPE_SEPARATOR } from '../core/scope.js';
import { decodeCursor } from '../stores/scope-page.js';
import { HttpError } from './http-error.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
/** Longer values are never legitimate and are refused before any parsing. */
const MAX_VALUE_LENGTH = 2048;

export interface ScopesParams {
  readonly prefix: string;
  readonly cursor: string | null;
  readonly limit: number;
}

export interface JobsParams {
  readonly scope: string[];
  /** Checked already: `store.jobs(scope, query)` takes it as is. */
  readonly query: JobsQuery;
}

export interface JobParams {
  readonly scope: string[];
  readonly id: string;
}

export interface EventsParams {
  readonly scope: string[];
  readonly id: string | null;
  readonly lastEventId: string | null;
}

// `token` is allowed everywhere: EventSource cannot send an Authorization header.
const ALLOWED = {
  scopes: ['prefix', 'cursor', 'limit', 'token'],
  jobs: ['scope', 'status', 'name', 'sort', 'order', 'cursor', 'limit', 'token'],
  job: ['scope', 'id', 'token'],
  events: ['scope', 'id', 'lastEventId', 'token'],
} as const;

/**
 * Query parameters of one route, checked once: unknown or repeated names, over-long values
 * and malformed values all become a 400 with the library's message format, before any
 * store or authorization code sees them.
 */
class Query {
  readonly #params: URLSearchParams;
  constructor(params: URLSearchParams, allowed: readonly string[]) {
    const seen = new Set<string>();
    for (const [name, value] of params) {
      if (!allowed.includes(name)) {
        throw badRequest(
          expected('query parameter', `one of ${allowed.map((a) => `\`${a}\``).join(', ')}`, name),
        );
      }
      if (seen.has(name)) throw badRequest(expected(name, 'given once', params.getAll(name)));
      if (value.length > MAX_VALUE_LENGTH) {
        throw badRequest(
          expected(name, `at most ${MAX_VALUE_LENGTH} characters`, `${value.length} characters`),
        );
      }
      seen.add(name);
    }
    this.#params = params;
  }

  optional(name: string): string | null {
    return this.#params.get(name);
  }

  required(name: string): string {
    const value = this.#params.get(name);
    if (value === null || value === '')
      throw badRequest(expected(name, 'given', value ?? 'nothing'));
    return value;
  }

  /** A scope as ONE value, parts joined by ':'. No part may be empty; nothing is a pattern. */
  scope(): string[] {
    const value = this.required('scope');
    return guard(() => normalizeScope(value.split(SCOPE_SEPARATOR), 'scope'));
  }

  limit(): number {
    const value = this.optional('limit');
    if (value === null) return DEFAULT_LIMIT;
    // Digits only: no '1e3', '0x10', ' 5' or '-1' sneaking through Number().
    const limit = /^[0-9]{1,4}$/.test(value) ? Number(value) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      throw badRequest(expected('limit', `an integer from 1 to ${MAX_LIMIT}`, value));
    return limit;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === null) return fallback;
    if (!(values as readonly string[]).includes(value)) {
      throw badRequest(expected(name, `one of ${values.map((v) => `\`${v}\``).join(', ')}`, value));
    }
    return value as T;
  }
}

export function parseScopesQuery(params: URLSearchParams): ScopesParams {
  const query = new Query(params, ALLOWED.scopes);
  const cursor = query.optional('cursor');
  if (cursor !== null) guard(() => decodeCursor(cursor));
  return { prefix: query.optional('prefix') ?? '', cursor, limit: query.limit() };
}

/**
 * `GET /jobs`: `status` is a comma-separated list, `name` a case-insensitive prefix; the
 * query is checked here by the store's own rules, so that a bad one is a 400 before any
 * authorization or store code runs.
 */
export function parseJobsQuery(params: URLSearchParams): JobsParams {
  const query = new Query(params, ALLOWED.jobs);
  const status = query.optional('status');
  const statuses = status === null ? null : status.split(',');
  if (statuses?.some((each) => !(STATUSES as readonly string[]).includes(each))) {
    throw badRequest(expected('status', `a comma-separated list of ${STATUSES.join(', ')}`, status));
  }
  const jobsQuery: JobsQuery = {
    statuses: statuses as Status[] | null,
    name: query.optional('name'),
    sort: query.oneOf('sort', JOB_SORTS, 'updatedAt'),
    order: query.oneOf('order', SORT_ORDERS, 'desc'),
    cursor: query.optional('cursor'),
    limit: query.limit(),
  };
  const scope = query.scope();
  guard(() => normalizeJobsQuery(jobsQuery));
  return { scope, query: jobsQuery };
}

export function parseJobQuery(params: URLSearchParams): JobParams {
  const query = new Query(params, ALLOWED.job);
  return { scope: query.scope(), id: query.required('id') };
}

export function parseEventsQuery(
  params: URLSearchParams,
  lastEventIdHeader: string | null,
): EventsParams {
  const query = new Query(params, ALLOWED.events);
  const id = query.optional('id');
  if (id === '') throw badRequest(expected('id', 'a non-empty record id', id));
  // The header wins: on its own reconnects EventSource sends the latest id there, while the
  // URL still carries the `lastEventId` the stream was first opened with.
  const lastEventId = lastEventIdHeader || query.optional('lastEventId');
  return { scope: query.scope(), id, lastEventId };
}

function guard<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw badRequest(error as Error);
  }
}

function badRequest(error: Error): HttpError {
  return new HttpError('bad_request', error.message);
}
