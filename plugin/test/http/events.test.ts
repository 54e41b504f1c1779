import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ErrorDTO, JobDTO } from '../../src/core/dto.js';
import { createProgressHandler, createProgressToken } from '../../src/http/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, monitorCommands, uniquePrefix } from '../helpers.js';
import { SECRET, serve, sseReader } from './http-helpers.js';

const redis = connectRedis();

async function setup(options: { heartbeatMs?: number } = {}) {
  const prefix = uniquePrefix('events');
  const store = new RedisStore({ connection: redis, prefix });
  const handler = createProgressHandler({
    store,
    changes: { connection: redis, prefix },
    tokenSecret: SECRET,
    authorize: (request) => request.headers.get('x-admin') === 'yes',
    ...options,
  });
  afterAll(() => handler.close());
  const url = await serve(handler);
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { headers: { 'x-admin': 'yes', ...headers } });
    return { response, events: sseReader(response) };
  };
  const progresser = (scope: (string | number)[], id: string) =>
    new Progresser({ scope, id, total: 100, store, intervalMs: 50, persist: true });
  return { prefix, store, handler, url, open, progresser };
}

const isJob = (id: string, count?: number) => (event: { event: string; data: unknown }) =>
  event.event === 'job' &&
  (event.data as JobDTO).id === id &&
  (count === undefined || (event.data as JobDTO).count === count);

describe('GET /events', () => {
  it('sends a snapshot, then a job event for each write of a real Progresser', async () => {
    const { open, progresser } = await setup();
    const a = progresser(['user', 1], 'a');
    a.tick(3);
    await a.flush();
    const { response, events } = await open('/events?scope=user:1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const snapshot = await events.next();
    expect(snapshot.event).toBe('snapshot');
    expect(snapshot.id).toMatch(/^\d+-\d+$/);
    expect((snapshot.data as { items: JobDTO[] }).items).toMatchObject([
      { id: 'a', count: 3, scope: ['user', '1'] },
    ]);
    expect(events.fields.retry).toBe('2000');

    const b = progresser(['user', 1], 'b');
    b.tick(1);
    const job = await events.next(isJob('b', 1));
    a.tick(7);
    await a.complete();
    const done = await events.next(
      (event) => isJob('a')(event) && (event.data as JobDTO).status === 'completed',
    );
    expect((done.data as JobDTO).count).toBe(10);
    // Ids only grow, so a reconnect can resume from the last one.
    const ids = events.events.map((event) => event.id as string);
    expect(ids.map((id) => id.split('-').map(Number))).toEqual(
      [...ids.map((id) => id.split('-').map(Number))].sort(
        (x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number),
      ),
    );
    expect(job.id).not.toBe(snapshot.id);
    await b.complete();
    await events.cancel();
  });

  it('streams only the one record when given an id', async () => {
    const { open, progresser } = await setup();
    const { events } = await open('/events?scope=user:1&id=b');
    expect((await events.next()).data).toEqual({ items: [], nextCursor: null });
    const a = progresser(['user', 1], 'a');
    const b = progresser(['user', 1], 'b');
    a.tick(1);
    await a.flush();
    b.tick(2);
    await b.flush();
    await a.complete();
    await b.complete();
    await events.next(
      (event) => isJob('b')(event) && (event.data as JobDTO).status === 'completed',
    );
    expect(
      events.events
        .filter((event) => event.event === 'job')
        .map((event) => (event.data as JobDTO).id),
    ).not.toContain('a');
    await events.cancel();
  });

  it('sends removed when a record is deleted from the RedisStore', async () => {
    const { store, open, progresser } = await setup();
    await progresser(['user', 1], 'a').flush();
    await progresser(['user', 1], 'b').flush();
    const { events } = await open('/events?scope=user:1');
    await events.next();
    await store.delete(['user', 1], 'a');
    expect(await events.next()).toMatchObject({ event: 'removed', data: { id: 'a' } });
    await store.delete(['user', 1]);
    expect(await events.next()).toMatchObject({ event: 'removed', data: { id: 'b' } });
    await events.cancel();
  });

  it('resumes with Last-Event-ID: only what changed while away, no snapshot', async () => {
    const { open, progresser } = await setup();
    const a = progresser(['user', 1], 'a');
    const b = progresser(['user', 1], 'b');
    const c = progresser(['user', 1], 'c');
    for (const p of [a, b, c]) {
      p.tick(1);
      await p.flush();
    }
    const first = await open('/events?scope=user:1');
    const snapshot = await first.events.next();
    expect((snapshot.data as { items: JobDTO[] }).items).toHaveLength(3);
    b.tick(1);
    const seen = await first.events.next(isJob('b', 2));
    await first.events.cancel();

    // Away: a changes twice, c once, b not at all.
    a.tick(4);
    await a.flush();
    await a.complete();
    await c.fail(new Error('gone wrong'));

    const byHeader = await open('/events?scope=user:1', { 'last-event-id': seen.id as string });
    const resumed = [await byHeader.events.next(), await byHeader.events.next()];
    expect(resumed.map((event) => event.event)).toEqual(['job', 'job']);
    expect(
      resumed.map((event) => [(event.data as JobDTO).id, (event.data as JobDTO).status]),
    ).toEqual([
      ['a', 'completed'],
      ['c', 'failed'],
    ]);
    await byHeader.events.cancel();

    // EventSource cannot set headers on the first connect; the query parameter does the same.
    const byQuery = await open(`/events?scope=user:1&lastEventId=${seen.id}`);
    expect((await byQuery.events.next()).event).toBe('job');
    await byQuery.events.cancel();

    // On its own reconnects EventSource keeps the URL but sends the newer id as a header.
    const both = await open(`/events?scope=user:1&lastEventId=${seen.id}`, {
      'last-event-id': resumed[1]?.id as string,
    });
    b.tick(1);
    expect(await both.events.next()).toMatchObject({ event: 'job', data: { id: 'b', count: 3 } });
    await both.events.cancel();

    // Nothing since the last id: nothing to send, not a snapshot.
    const current = await open(`/events?scope=user:1&lastEventId=${resumed[1]?.id}`);
    b.tick(1);
    expect(await current.events.next()).toMatchObject({
      event: 'job',
      data: { id: 'b', count: 3 },
    });
    await current.events.cancel();
    await b.complete();
  });

  it('sends a snapshot when Last-Event-ID is older than what the server remembers', async () => {
    const { open, progresser } = await setup();
    await progresser(['user', 1], 'a').flush();
    const { events } = await open('/events?scope=user:1', { 'last-event-id': '1-1' });
    expect((await events.next()).event).toBe('snapshot');
    await events.cancel();
  });

  it('answers a malformed Last-Event-ID with 400', async () => {
    const { url } = await setup();
    const response = await fetch(`${url}/events?scope=user:1&lastEventId=abc`, {
      headers: { 'x-admin': 'yes' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorDTO).error.message).toMatch(/Expected `Last-Event-ID`/);
  });

  it('shares one subscription and one read per change among all viewers', async () => {
    const { prefix, open, progresser } = await setup();
    const viewers = await Promise.all([1, 2, 3, 4, 5].map(() => open('/events?scope=user:1')));
    const others = await Promise.all([1, 2].map(() => open('/events?scope=team:9')));
    for (const viewer of [...viewers, ...others])
      expect((await viewer.events.next()).event).toBe('snapshot');
    const [, subscribers] = (await redis.pubsub('NUMSUB', `${prefix}::changes`)) as [
      string,
      number,
    ];
    expect(subscribers).toBe(1);

    const a = progresser(['user', 1], 'a');
    await a.flush();
    for (const viewer of viewers) await viewer.events.next(isJob('a', 0));
    // The write script's own HGET (of the record it replaces) is no viewer's read.
    const reads = await monitorCommands(
      (args, source) =>
        source !== 'lua' && args[0]?.toLowerCase() === 'hget' && args[1] === `${prefix}:user:1`,
    );
    a.tick(5);
    await a.flush();
    for (const viewer of viewers) await viewer.events.next(isJob('a', 5));
    await reads.stop();
    expect(reads.count()).toBe(1);
    for (const other of others)
      expect(other.events.events.filter((event) => event.event === 'job')).toEqual([]);
    for (const viewer of [...viewers, ...others]) await viewer.events.cancel();
    await a.complete();
  });

  it('drops a viewer when its client goes away', async () => {
    const { handler, open } = await setup();
    const first = await open('/events?scope=user:1');
    const second = await open('/events?scope=user:1&id=a');
    await first.events.next();
    await second.events.next();
    expect(handler.viewers).toBe(2);
    await first.events.cancel();
    for (let i = 0; i < 100 && handler.viewers > 1; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handler.viewers).toBe(1);
    await second.events.cancel();
    for (let i = 0; i < 100 && handler.viewers > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handler.viewers).toBe(0);
  });

  it('drops a viewer nobody reads, for hosts that never report a disconnect', async () => {
    const { handler } = await setup({ heartbeatMs: 20 });
    const response = await handler(
      new Request('http://localhost/events?scope=user:1', { headers: { 'x-admin': 'yes' } }),
    );
    expect(response.status).toBe(200);
    for (let i = 0; i < 20 && handler.viewers === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handler.viewers).toBe(1);
    for (let i = 0; i < 200 && handler.viewers > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handler.viewers).toBe(0);
  });

  it('sends a ping comment while idle', async () => {
    const { open } = await setup({ heartbeatMs: 50 });
    const { events } = await open('/events?scope=user:1');
    await events.next();
    for (let i = 0; i < 100 && events.comments.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.comments[0]).toBe(': ping');
    await events.cancel();
  });

  it('lets a browser stream its own scope with ?token= and nothing else', async () => {
    const { url } = await setup();
    const token = createProgressToken({ secret: SECRET, scope: ['user', 1] });
    const own = await fetch(`${url}/events?scope=user:1&token=${token}`);
    expect(own.status).toBe(200);
    await own.body?.cancel();
    const other = await fetch(`${url}/events?scope=user:2&token=${token}`);
    expect(other.status).toBe(403);
    expect(((await other.json()) as ErrorDTO).error.code).toBe('forbidden');
  });

  it("ends a token's stream when the token expires, and refuses the reconnect", async () => {
    const { url } = await setup();
    // Long enough for the snapshot to arrive first on a loaded machine.
    const token = createProgressToken({ secret: SECRET, scope: ['user', 1], expiresInMs: 1500 });
    const events = sseReader(await fetch(`${url}/events?scope=user:1&token=${token}`));
    expect((await events.next()).event).toBe('snapshot');
    for (let i = 0; i < 500 && !events.done; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.done).toBe(true);
    expect((await fetch(`${url}/events?scope=user:1&token=${token}`)).status).toBe(401);
  });

  it('ends open streams and the subscription on close()', async () => {
    const { prefix, handler, open } = await setup();
    const { events } = await open('/events?scope=user:1');
    await events.next();
    await handler.close();
    await handler.close();
    for (let i = 0; i < 100 && !events.done; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.done).toBe(true);
    const [, subscribers] = (await redis.pubsub('NUMSUB', `${prefix}::changes`)) as [
      string,
      number,
    ];
    expect(subscribers).toBe(0);
  });

  it('answers 404 when the handler has no change feed', async () => {
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('events') });
    const handler = createProgressHandler({ store, authorize: () => true });
    const response = await handler(new Request('http://localhost/events?scope=user:1'));
    expect(response.status).toBe(404);
  });
});

/** Kills the subscriber connection a feed opened (a duplicate keeps the connection's name). */
async function killSubscriber(name: string): Promise<void> {
  const list = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const line = list.split('\n').find((each) => each.includes(` name=${name} `));
  const id = line ? /\bid=(\d+)/.exec(line)?.[1] : undefined;
  if (!id) throw new Error(`no subscriber named ${name}`);
  await redis.call('CLIENT', 'KILL', 'ID', id);
}

describe('GET /events when the subscriber connection drops', () => {
  it('ends every stream, and the reconnect gets a snapshot, not a replay with holes', async () => {
    const prefix = uniquePrefix('gap');
    const name = prefix.replace(/[^a-z0-9-]/gi, '');
    const connection = new Redis(inject('redisUrl'), { connectionName: name });
    const store = new RedisStore({ connection: redis, prefix });
    const handler = createProgressHandler({
      store,
      changes: { connection, prefix },
      authorize: () => true,
    });
    const url = await serve(handler);
    await new Progresser({ scope: ['user', 1], id: 'a', total: 10, store, persist: true }).flush();
    const response = await fetch(`${url}/events?scope=user:1`);
    const events = sseReader(response);
    const snapshot = await events.next();

    await killSubscriber(name);
    for (let i = 0; i < 250 && !events.done; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.done).toBe(true);

    const again = sseReader(
      await fetch(`${url}/events?scope=user:1`, {
        headers: { 'last-event-id': snapshot.id as string },
      }),
    );
    expect((await again.next()).event).toBe('snapshot');
    // And the feed is live again after ioredis resubscribed.
    await new Progresser({ scope: ['user', 1], id: 'b', total: 10, store, persist: true }).flush();
    expect(await again.next()).toMatchObject({ event: 'job', data: { id: 'b' } });
    await again.cancel();
    await handler.close();
    await connection.quit();
  });
});

describe('RedisChangeFeed', () => {
  it('ignores messages on the channel that are not changes', async () => {
    const { RedisChangeFeed } = await import('../../src/http/index.js');
    const prefix = uniquePrefix('feed');
    const feed = new RedisChangeFeed({ connection: redis, prefix });
    const seen: unknown[] = [];
    await feed.subscribe((change) => seen.push(change));
    const publisher = new Redis(inject('redisUrl'));
    await publisher.publish(`${prefix}::changes`, 'not json');
    await publisher.publish(`${prefix}::changes`, '{"scope":1}');
    await publisher.publish(`${prefix}::changes`, '{"scope":"user:1","id":"a"}');
    for (let i = 0; i < 100 && seen.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([{ scope: 'user:1', id: 'a' }]);
    await publisher.quit();
    await feed.close();
  });
});
