import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorDTO, PageDTO, JobDTO } from '../../src/core/dto.js';
import {
  createProgressHandler,
  createProgressToken,
  verifyProgressToken,
} from '../../src/http/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { SECRET } from './http-helpers.js';

const redis = connectRedis();
const store = new RedisStore({ connection: redis, prefix: uniquePrefix('access') });

beforeAll(async () => {
  for (const scope of [
    ['user', 1],
    ['user', 2],
    ['user', 10],
    ['user', 1, 'x'],
    ['user', '*'],
  ]) {
    await new Progresser({ scope, id: 'job', total: 10, store, persist: true }).flush();
  }
});

describe('progress tokens', () => {
  const handler = createProgressHandler({ store, tokenSecret: SECRET });
  const token = createProgressToken({ secret: SECRET, scope: ['user', 1], expiresInMs: 60_000 });
  const get = (path: string, headers: Record<string, string> = {}) =>
    handler(new Request(`http://localhost${path}`, { headers }));
  const bearer = { authorization: `Bearer ${token}` };

  it('lets a token for [user, 1] read user:1, by header or query', async () => {
    const byHeader = await get('/jobs?scope=user:1', bearer);
    expect(byHeader.status).toBe(200);
    expect(((await byHeader.json()) as PageDTO<JobDTO>).items.map((job) => job.scope)).toEqual([
      ['user', '1'],
    ]);
    expect((await get(`/job?scope=user:1&id=job&token=${token}`)).status).toBe(200);
  });

  it.each([
    ['/jobs?scope=user:2', 'another user'],
    ['/jobs?scope=user:10', 'a scope it is a prefix of'],
    ['/jobs?scope=user:1:x', 'a child scope'],
    ['/jobs?scope=user:*', "a '*' part"],
    ['/jobs?scope=user%3A2', 'an encoded separator'],
    ['/job?scope=user:2&id=job', 'one job of another user'],
    ['/events?scope=user:2', 'the events of another user'],
    ['/scopes', 'the scope list'],
    ['/scopes?prefix=user:1', 'the scope list, even with its own scope as prefix'],
  ])('refuses %s (%s) with 403', async (path) => {
    const response = await get(path, bearer);
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorDTO).error.code).toBe('forbidden');
  });

  it('refuses a scope smuggled through a repeated parameter with 400', async () => {
    const response = await get(`/jobs?scope=user:1&scope=user:2&token=${token}`);
    expect(response.status).toBe(400);
  });

  it('answers 401 for an expired, tampered, foreign or missing token', async () => {
    const expired = createProgressToken({
      secret: SECRET,
      scope: ['user', 1],
      expiresInMs: 1000,
      now: () => Date.now() - 2000,
    });
    const [keyId, payload, signature] = token.slice('prg2.'.length).split('.');
    const forged = Buffer.from(
      JSON.stringify({ s: ['user', '2'], e: Date.now() + 60_000 }),
    ).toString('base64url');
    const foreign = createProgressToken({
      secret: 'another-secret-that-is-32-bytes-long!!',
      scope: ['user', 1],
    });
    for (const bad of [
      expired,
      `prg2.${keyId}.${forged}.${signature}`,
      `prg2.${keyId}.${payload}.${signature}x`,
      foreign,
      'garbage',
    ]) {
      const response = await get(`/jobs?scope=user:1&token=${encodeURIComponent(bad)}`);
      expect(response.status, bad).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await get('/jobs?scope=user:1')).status).toBe(401);
  });

  it('verifies only unexpired tokens signed with the same secret', () => {
    const now = 1_000_000;
    const made = createProgressToken({
      secret: SECRET,
      scope: ['user', 1],
      expiresInMs: 500,
      now: () => now,
    });
    expect(verifyProgressToken(made, SECRET, now + 499)).toEqual({
      scope: ['user', '1'],
      actions: [],
      expiresAt: new Date(now + 500),
    });
    expect(verifyProgressToken(made, SECRET, now + 500)).toBeNull();
    expect(verifyProgressToken(made, `${SECRET}!`, now)).toBeNull();
  });

  it('refuses to sign with a short secret or a bad scope', () => {
    expect(() => createProgressToken({ secret: 'short', scope: ['user', 1] })).toThrow(
      /Expected `secret`/,
    );
    expect(() => createProgressToken({ secret: SECRET, scope: ['user:1'] })).toThrow(
      /Expected `scope\[0\]`/,
    );
    expect(() =>
      createProgressToken({ secret: SECRET, scope: ['user', 1], expiresInMs: 0 }),
    ).toThrow(/Expected `expiresInMs`/);
  });
});

describe('authorize', () => {
  const calls: (readonly string[] | null)[] = [];
  const handler = createProgressHandler({
    store,
    tokenSecret: SECRET,
    authorize: (request, scope) => {
      calls.push(scope);
      return (
        request.headers.get('x-role') === 'admin' ||
        (scope !== null && scope.join(':') === 'user:2')
      );
    },
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    handler(new Request(`http://localhost${path}`, { headers }));

  it('decides with the normalized scope, and null for the scope list', async () => {
    calls.length = 0;
    expect((await get('/jobs?scope=user:2')).status).toBe(200);
    expect((await get('/jobs?scope=user:1')).status).toBe(403);
    expect((await get('/scopes')).status).toBe(403);
    expect((await get('/scopes', { 'x-role': 'admin' })).status).toBe(200);
    expect(calls).toEqual([['user', '2'], ['user', '1'], null, null]);
  });

  it('never sees a request whose query is malformed', async () => {
    calls.length = 0;
    expect((await get('/jobs?scope=user:2&limit=-1', { 'x-role': 'admin' })).status).toBe(400);
    expect(calls).toEqual([]);
  });

  it('still decides when a valid token does not cover the scope', async () => {
    const token = createProgressToken({ secret: SECRET, scope: ['user', 1] });
    expect((await get(`/jobs?scope=user:2&token=${token}`)).status).toBe(200);
    expect((await get(`/jobs?scope=user:10&token=${token}`)).status).toBe(403);
  });

  it("leaves an app's own bearer token to authorize", async () => {
    expect(
      (await get('/scopes', { authorization: 'Bearer eyJhbGciOi.app.jwt', 'x-role': 'admin' }))
        .status,
    ).toBe(200);
  });
});
