import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorDTO, JobDTO, JobsPageDTO, PageDTO, ScopeDTO } from '../../src/core/dto.js';
import { createProgressHandler, type ProgressHandler } from '../../src/http/index.js';
import { MemoryStore, Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';

const redis = connectRedis();
const BASE = '/api/progress';

function setup() {
  const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
  const handler = createProgressHandler({ store, basePath: BASE, authorize: () => true });
  const get = async <T>(path: string, init?: RequestInit) => {
    const response = await handler(new Request(`http://localhost${BASE}${path}`, init));
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as T,
    };
  };
  return { store, handler, get };
}

// Each write one ms after the previous, so "newest first" never depends on timing luck.
let clock = Date.now();
async function write(
  store: RedisStore,
  scope: (string | number)[],
  id: string,
  count: number,
  total: number | null,
  end?: 'complete' | 'fail',
) {
  const at = ++clock;
  const progress = new Progresser({
    scope,
    id,
    name: `job ${id}`,
    total,
    store,
    persist: true,
    now: () => at,
  });
  progress.tick(count);
  if (end === 'complete') await progress.complete();
  else if (end === 'fail') await progress.fail(new Error('boom'));
  else await progress.flush();
  return progress;
}

describe('createProgressHandler', () => {
  describe('GET /scopes', () => {
    let ctx: ReturnType<typeof setup>;
    beforeAll(async () => {
      ctx = setup();
      await write(ctx.store, ['user', 1], 'a', 5, 10);
      await write(ctx.store, ['user', 1], 'b', 10, 10, 'complete');
      await write(ctx.store, ['user', 1], 'c', 1, 10, 'fail');
      await write(ctx.store, ['user', 2], 'a', 1, 10);
      await write(ctx.store, ['team', 7], 'a', 1, 10);
    });

    it('lists scopes newest activity first with counts by status', async () => {
      const { status, body } = await ctx.get<PageDTO<ScopeDTO>>('/scopes');
      expect(status).toBe(200);
      expect(body.items.map((item) => item.key)).toEqual(['team:7', 'user:2', 'user:1']);
      expect(body.items[2]).toMatchObject({
        scope: ['user', '1'],
        counts: { running: 1, completed: 1, failed: 1 },
      });
      expect(body.nextCursor).toBeNull();
    });

    it('filters by prefix and pages with the cursor', async () => {
      const first = await ctx.get<PageDTO<ScopeDTO>>('/scopes?prefix=user:&limit=1');
      expect(first.body.items.map((item) => item.key)).toEqual(['user:2']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await ctx.get<PageDTO<ScopeDTO>>(
        `/scopes?prefix=user:&limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items.map((item) => item.key)).toEqual(['user:1']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('treats a prefix of * as text, not a pattern', async () => {
      const { body } = await ctx.get<PageDTO<ScopeDTO>>('/scopes?prefix=*');
      expect(body.items).toEqual([]);
    });
  });

  describe('GET /jobs', () => {
    let ctx: ReturnType<typeof setup>;
    beforeAll(async () => {
      ctx = setup();
      await write(ctx.store, ['user', 1], 'a', 5, 10);
      await write(ctx.store, ['user', 1], 'b', 10, 10, 'complete');
      await write(ctx.store, ['user', 1], 'c', 2, 10);
      await write(ctx.store, ['user', 1], 'd', 1, null);
      await write(ctx.store, ['user', 10], 'other', 1, 10);
    });

    it('returns the scope jobs as JobDTOs, newest update first by default', async () => {
      const { status, body } = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1');
      expect(status).toBe(200);
      expect(body.items.map((job) => job.id)).toEqual(['d', 'c', 'b', 'a']);
      expect(body.items.find((job) => job.id === 'a')).toMatchObject({
        scope: ['user', '1'],
        count: 5,
        total: 10,
        percentage: 50,
        status: 'running',
      });
    });

    it('filters by status, comma-separated', async () => {
      const running = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1&status=running');
      expect(running.body.items.map((job) => job.id).sort()).toEqual(['a', 'c', 'd']);
      const both = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1&status=completed,failed');
      expect(both.body.items.map((job) => job.id)).toEqual(['b']);
    });

    it('sorts by percentage with unknown totals lowest: first ascending, last descending', async () => {
      const asc = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1&sort=percentage&order=asc');
      expect(asc.body.items.map((job) => job.id)).toEqual(['d', 'c', 'a', 'b']);
      const desc = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1&sort=percentage&order=desc');
      expect(desc.body.items.map((job) => job.id)).toEqual(['b', 'a', 'c', 'd']);
    });

    it('filters by a case-insensitive name prefix and sends the counts of the whole scope', async () => {
      const { body } = await ctx.get<JobsPageDTO>('/jobs?scope=user:1&name=JOB%20A&limit=1');
      expect(body.items.map((job) => job.id)).toEqual(['a']);
      expect(body.total).toBe(4);
      expect(body.counts).toMatchObject({ running: 3, completed: 1, failed: 0 });
    });

    it('pages with a cursor until nextCursor is null, each job once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/jobs?scope=user:1&sort=name&order=asc&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page: { body: PageDTO<JobDTO> } = await ctx.get<PageDTO<JobDTO>>(query);
        seen.push(...page.body.items.map((job) => job.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(['a', 'b', 'c', 'd']);
    });

    it('refuses a cursor made for another sort with 400', async () => {
      const first = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user:1&sort=name&limit=1');
      const { status, body } = await ctx.get<ErrorDTO>(
        `/jobs?scope=user:1&sort=percentage&limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(status).toBe(400);
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(/Expected `cursor`/);
    });

    it("looks up a name's typical duration once for the pages and jobs read within 10 s", async () => {
      const store = new MemoryStore();
      const looked: string[] = [];
      const typicalDuration = store.typicalDuration.bind(store);
      store.typicalDuration = (name, queue) => {
        looked.push(name);
        return typicalDuration(name, queue);
      };
      const handler = createProgressHandler({ store, authorize: () => true });
      for (const id of ['a', 'b']) {
        const job = new Progresser({ scope: ['user', 1], id, name: `job ${id}`, total: 10, store });
        job.tick();
        await job.flush();
      }
      for (const path of ['/jobs?scope=user:1', '/jobs?scope=user:1&sort=name', '/job?scope=user:1&id=a']) {
        expect((await handler(new Request(`http://test.local${path}`))).status).toBe(200);
      }
      expect(looked.sort()).toEqual(['job a', 'job b']);
      await handler.close();
    });

    it('reads a separator sent encoded as the same exact scope', async () => {
      const { body } = await ctx.get<PageDTO<JobDTO>>('/jobs?scope=user%3A10');
      expect(body.items.map((job) => job.id)).toEqual(['other']);
    });
  });

  describe('GET /job', () => {
    let ctx: ReturnType<typeof setup>;
    beforeAll(async () => {
      ctx = setup();
      await write(ctx.store, ['user', 1], 'a', 5, 10);
    });

    it('returns one job', async () => {
      const { status, body } = await ctx.get<JobDTO>('/job?scope=user:1&id=a');
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 'a', name: 'job a', count: 5 });
    });

    it('answers 404 with an ErrorDTO when the job is absent', async () => {
      const { status, body } = await ctx.get<ErrorDTO>('/job?scope=user:1&id=nope');
      expect(status).toBe(404);
      expect(body).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('nope') },
      });
    });
  });

  describe('errors', () => {
    const ctx = setup();
    it.each([
      ['/jobs', /Expected `scope` to be given/],
      ['/jobs?scope=user::1', /Expected `scope\[1\]`/],
      ['/jobs?scope=user:1&limit=0', /Expected `limit` to be an integer from 1 to 1000, got `"0"`/],
      ['/jobs?scope=user:1&limit=100000000000000000000', /Expected `limit`/],
      ['/jobs?scope=user:1&limit=1e3', /Expected `limit`/],
      ['/jobs?scope=user:1&status=done', /Expected `status`/],
      ['/jobs?scope=user:1&sort=eval', /Expected `sort`/],
      ['/jobs?scope=user:1&cursor=%%%', /Expected `cursor`/],
      ['/jobs?scope=user:1&debug=1', /Expected `query parameter` to be one of/],
      ['/jobs?scope=user:1&scope=user:2', /Expected `scope` to be given once/],
      ['/scopes?cursor=bm90LWpzb24', /Expected `cursor`/],
      ['/job?scope=user:1', /Expected `id` to be given/],
      [`/jobs?scope=${'x'.repeat(3000)}`, /at most 2048 characters/],
    ])('answers %s with 400 and a JSON error', async (path, message) => {
      const { status, headers, body } = await ctx.get<ErrorDTO>(path);
      expect(status).toBe(400);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(message);
    });

    it('answers an unknown path with 404 and a wrong method with 405', async () => {
      expect((await ctx.get<ErrorDTO>('/nope')).body.error.code).toBe('not_found');
      const post = await ctx.get<ErrorDTO>('/jobs?scope=user:1', { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET');
    });

    it('answers a request outside basePath with 404', async () => {
      const response = await ctx.handler(
        new Request('http://localhost/elsewhere/jobs?scope=user:1'),
      );
      expect(response.status).toBe(404);
    });
  });

  describe('internal errors', () => {
    const failing = (exposeErrors?: boolean) => {
      const errors: Error[] = [];
      const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
      // GET /jobs reads a page through jobs().
      store.jobs = async () => {
        throw new Error('secret detail at /srv/app.js:12');
      };
      const handler: ProgressHandler = createProgressHandler({
        store,
        authorize: () => true,
        onError: (error) => errors.push(error),
        ...(exposeErrors === undefined ? {} : { exposeErrors }),
      });
      return { handler, errors };
    };

    it('answers 500 with a generic message and no stack when NODE_ENV=production', async () => {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        const { handler, errors } = failing();
        const response = await handler(new Request('http://localhost/jobs?scope=user:1'));
        const text = await response.text();
        expect(response.status).toBe(500);
        expect(JSON.parse(text)).toEqual({
          error: { code: 'internal', message: 'Internal error' },
        });
        expect(text).not.toMatch(/secret detail|at \/|\.js:/);
        expect(errors.map((error) => error.message)).toEqual(['secret detail at /srv/app.js:12']);
      } finally {
        process.env.NODE_ENV = previous;
      }
    });

    it('shows the message but never the stack outside production', async () => {
      const { handler } = failing(true);
      const response = await handler(new Request('http://localhost/jobs?scope=user:1'));
      const body = (await response.json()) as ErrorDTO;
      expect(body.error.message).toBe('Internal error: secret detail at /srv/app.js:12');
      expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
    });
  });

  describe('options', () => {
    it('refuses a handler with neither authorize nor tokenSecret', () => {
      const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
      expect(() => createProgressHandler({ store })).toThrow(
        /Expected `authorize` to be a function .*, got `undefined`$/,
      );
      expect(() => createProgressHandler({ store, authorize: null, tokenSecret: null })).toThrow(
        /Expected `authorize` to be a function .*, got `null`$/,
      );
    });

    it('takes null and undefined for the options that default to none', async () => {
      const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
      const handler = createProgressHandler({
        store,
        authorize: () => true,
        tokenSecret: undefined,
        changes: null,
      });
      const response = await handler(new Request('http://localhost/events?scope=user:1'));
      expect(response.status).toBe(404);
      await handler.close();
    });

    it('refuses a short token secret', () => {
      const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
      expect(() => createProgressHandler({ store, tokenSecret: 'short' })).toThrow(
        /Expected `tokenSecret`/,
      );
    });

    it('refuses a basePath ending with a slash', () => {
      const store = new RedisStore({ connection: redis, prefix: uniquePrefix('http') });
      expect(() =>
        createProgressHandler({ store, authorize: () => true, basePath: '/api/' }),
      ).toThrow(/Expected `basePath`/);
    });
  });
});
