import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { JobDTO, PageDTO } from '../../src/core/dto.js';
import { createProgressHandler, LocalChangeFeed } from '../../src/http/index.js';
import { MemoryStore, Progresser } from '../../src/index.js';
import { sseReader } from './http-helpers.js';

describe('createProgressHandler in other frameworks', () => {
  it('mounts unchanged in Hono, with a MemoryStore and a LocalChangeFeed', async () => {
    const changes = new LocalChangeFeed();
    const store = changes.track(new MemoryStore());
    const handler = createProgressHandler({
      store,
      changes,
      basePath: '/api/progress',
      authorize: () => true,
    });
    const app = new Hono();
    app.get('/api/progress/*', (c) => handler(c.req.raw));

    await new Progresser({ scope: ['user', 1], id: 'a', total: 4, store, persist: true }).flush();
    const page = (await (
      await app.request('/api/progress/jobs?scope=user:1')
    ).json()) as PageDTO<JobDTO>;
    expect(page.items.map((job) => job.id)).toEqual(['a']);

    const events = sseReader(await app.request('/api/progress/events?scope=user:1'));
    expect((await events.next()).event).toBe('snapshot');
    const b = new Progresser({ scope: ['user', 1], id: 'b', total: 4, store });
    b.tick(2);
    expect(await events.next()).toMatchObject({ event: 'job', data: { id: 'b', count: 2 } });
    await store.delete(['user', 1], 'b');
    expect(await events.next()).toMatchObject({ event: 'removed', data: { id: 'b' } });
    await handler.close();
    await b.complete();
  });
});
