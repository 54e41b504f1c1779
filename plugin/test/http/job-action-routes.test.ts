import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { JobActions, ProgressQueue } from '../../src/bullmq/index.js';
import type { ActionResult, ErrorDTO } from '../../src/index.js';
import { recordOf } from '../../src/core/record-of.js';
import { RedisStore } from '../../src/index.js';
import {
  type Access,
  createProgressHandler,
  createProgressToken,
  verifyProgressToken,
} from '../../src/http/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { SECRET } from './http-helpers.js';

const redisUrl = inject('redisUrl');
const redis = connectRedis();
const store = new RedisStore({ connection: redis, prefix: uniquePrefix('action-routes') });
const queue = new ProgressQueue(uniquePrefix('action-routes'), {
  connection: { url: redisUrl },
  progress: { store },
});
const actionsConnection = new Redis(redisUrl);
const actions = new JobActions({ store, connection: actionsConnection });
afterAll(async () => {
  await actions.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await actionsConnection.quit();
});

/** A queued job in `scope`; its record id. */
async function queuedJob(scope: (string | number)[]): Promise<string> {
  const job = await queue.add('export', { progressrusScope: scope });
  return `${queue.name}:${job.id}`;
}

function post(
  handler: (request: Request) => Promise<Response>,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return handler(new Request(`http://app.test${path}`, { method: 'POST', headers }));
}

describe('POST /job/cancel and /job/retry', () => {
  it('refuses a read-only token with 403, and lets a token minted with cancel cancel only its own scope', async () => {
    const handler = createProgressHandler({ store, tokenSecret: SECRET, actions });
    const mine = await queuedJob(['user', 1]);
    const theirs = await queuedJob(['user', 2]);
    const readOnly = createProgressToken({ secret: SECRET, scope: ['user', 1] });
    const canCancel = createProgressToken({
      secret: SECRET,
      scope: ['user', 1],
      actions: ['cancel'],
    });
    expect(verifyProgressToken(readOnly, SECRET)?.actions).toEqual([]);
    expect(verifyProgressToken(canCancel, SECRET)?.actions).toEqual(['cancel']);

    const denied = await post(handler, `/job/cancel?scope=user:1&id=${mine}`, {
      authorization: `Bearer ${readOnly}`,
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as ErrorDTO).error.message).toMatch(
      /Not allowed to cancel jobs of the scope "user:1"/,
    );
    expect((await store.find(['user', 1], mine))?.status).toBe('queued');

    const bearer = { authorization: `Bearer ${canCancel}` };
    const other = await post(handler, `/job/cancel?scope=user:2&id=${theirs}`, bearer);
    expect(other.status).toBe(403);
    // The other scope's job named under the token's own scope: that scope does not hold it.
    expect((await post(handler, `/job/cancel?scope=user:1&id=${theirs}`, bearer)).status).toBe(404);
    expect((await store.find(['user', 2], theirs))?.status).toBe('queued');
    // A token never retries unless minted with it.
    expect((await post(handler, `/job/retry?scope=user:1&id=${mine}`, bearer)).status).toBe(403);

    const done = await post(handler, `/job/cancel?scope=user:1&id=${mine}`, bearer);
    expect(done.status).toBe(200);
    expect((await done.json()) as ActionResult).toEqual({
      id: mine,
      action: 'cancel',
      outcome: 'cancelled',
      status: 'cancelled',
    });
    const again = await post(handler, `/job/cancel?scope=user:1&id=${mine}`, bearer);
    expect(((await again.json()) as ActionResult).outcome).toBe('unchanged');
    expect((await store.find(['user', 1], mine))?.actions).toHaveLength(1);
  });

  it('asks authorize with the action, and refuses a cross-site Origin (CSRF) before anything else', async () => {
    const asked: Access[] = [];
    const handler = createProgressHandler({
      store,
      actions,
      allowedOrigins: ['https://portal.test'],
      authorize: (_request, scope, access) => {
        asked.push(access);
        return scope?.join(':') === 'user:3' && access !== 'retry';
      },
    });
    const id = await queuedJob(['user', 3]);
    const path = `/job/cancel?scope=user:3&id=${id}`;
    expect((await post(handler, path, { origin: 'https://evil.test' })).status).toBe(403);
    expect(
      (await post(handler, path, { origin: 'http://app.test', 'sec-fetch-site': 'same-origin' }))
        .status,
    ).toBe(200);
    expect(asked).toEqual(['cancel']);
    expect(
      (await post(handler, `/job/retry?scope=user:3&id=${id}`, { origin: 'https://portal.test' }))
        .status,
    ).toBe(403);
    expect(asked).toEqual(['cancel', 'retry']);
    expect((await post(handler, path, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await handler(new Request(`http://app.test${path}`))).status).toBe(405);
  });

  it('answers 404 on the action routes of a handler without actions, and 409 for an action the job refuses', async () => {
    const without = createProgressHandler({ store, authorize: () => true });
    const id = await queuedJob(['user', 4]);
    expect((await post(without, `/job/cancel?scope=user:4&id=${id}`)).status).toBe(404);
    const handler = createProgressHandler({ store, authorize: () => true, actions });
    const completed = await store.find(['user', 4], id);
    if (!completed) throw new Error('no record');
    await store.persist({
      ...recordOf(completed),
      state: null,
      startedAt: new Date(),
      queue: null,
    });
    const refused = await post(handler, `/job/cancel?scope=user:4&id=${id}`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorDTO).error.code).toBe('conflict');
  });
});
