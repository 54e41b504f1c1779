import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorDTO } from '../../src/core/dto.js';
import { createProgressHandler, createProgressToken } from '../../src/http/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { SECRET } from './http-helpers.js';

const redis = connectRedis();
const store = new RedisStore({ connection: redis, prefix: uniquePrefix('property') });
const handler = createProgressHandler({
  store,
  tokenSecret: SECRET,
  authorize: (request) => request.headers.get('x-admin') === 'yes',
});
const token = createProgressToken({ secret: SECRET, scope: ['user', 1] });

beforeAll(async () => {
  for (const [scope, id] of [
    [['user', 1], 'a'],
    [['user', 1], 'b'],
    [['user', 2], 'a'],
  ] as const) {
    await new Progresser({ scope: [...scope], id, total: 10, store, persist: true }).flush();
  }
});

const NAMES = [
  'scope',
  'prefix',
  'cursor',
  'limit',
  'status',
  'sort',
  'order',
  'name',
  'id',
  'lastEventId',
  'token',
];
// Values that probe the edges: separators, wildcards, encodings, numbers in odd forms, unicode.
const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '*',
    ':',
    'user:*',
    'user:1',
    'user:1:',
    ':user:1',
    'user%3A1',
    'user::1',
    '%',
    '%%',
    '1e3',
    '-1',
    '0',
    '1000',
    '1001',
    '0x10',
    ' 5',
    'NaN',
    'running,failed',
    'asc',
    'name',
  ),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
  fc.string({ unit: 'grapheme' }),
);
const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string()), tricky), {
  maxLength: 6,
});
const paths = fc.constantFrom('/scopes', '/jobs', '/job');

function queryString(entries: [string, string][]): string {
  const params = new URLSearchParams();
  for (const [name, value] of entries) params.append(name, value);
  return params.toString();
}

describe('handler query validation (property-based)', () => {
  it('answers any query with 200, 400, 401, 403 or 404 and JSON, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(paths, pairs, fc.boolean(), async (path, entries, admin) => {
        const response = await handler(
          new Request(`http://localhost${path}?${queryString(entries)}`, {
            headers: admin ? { 'x-admin': 'yes' } : {},
          }),
        );
        expect([200, 400, 401, 403, 404]).toContain(response.status);
        const body = (await response.json()) as ErrorDTO;
        if (response.status !== 200)
          expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
      }),
      { numRuns: 300 },
    );
  });

  it('answers 400 whenever a query parameter is unknown', async () => {
    const unknown = fc.string({ minLength: 1 }).filter((name) => !NAMES.includes(name));
    await fc.assert(
      fc.asyncProperty(paths, unknown, tricky, async (path, name, value) => {
        const query = queryString(
          [
            ['scope', 'user:1'],
            ['id', 'a'],
            [name, value],
          ].filter(([n]) => path !== '/scopes' || n === name) as [string, string][],
        );
        const response = await handler(
          new Request(`http://localhost${path}?${query}`, { headers: { 'x-admin': 'yes' } }),
        );
        expect(response.status).toBe(400);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts exactly the decimal integers 1 to 1000 as limit', async () => {
    await fc.assert(
      fc.asyncProperty(tricky, async (limit) => {
        const response = await handler(
          new Request(
            `http://localhost/jobs?${queryString([
              ['scope', 'user:1'],
              ['limit', limit],
            ])}`,
            { headers: { 'x-admin': 'yes' } },
          ),
        );
        const valid = /^[0-9]{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 1000;
        expect(response.status).toBe(valid ? 200 : 400);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a token for user:1 read anything but exactly user:1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/jobs', '/job', '/events'), tricky, async (path, scope) => {
        const query = queryString(
          [
            ['scope', scope],
            ['id', 'a'],
            ['token', token],
          ].filter(([n]) => path !== '/jobs' || n !== 'id') as [string, string][],
        );
        const response = await handler(new Request(`http://localhost${path}?${query}`));
        if (scope === 'user:1') expect(response.status).not.toBe(403);
        else expect([400, 403]).toContain(response.status);
        await response.body?.cancel();
      }),
      { numRuns: 300 },
    );
  });
});
