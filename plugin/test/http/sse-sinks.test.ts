import { get, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createProgressHandler } from '../../src/http/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, sleep, uniquePrefix } from '../helpers.js';
import { serve } from './http-helpers.js';

const redis = connectRedis();

/** Every byte of a body, as it arrives, until it ends. */
interface Collected {
  readonly bytes: () => Buffer;
  readonly ended: Promise<void>;
}

/** A raw GET through the Node adapter: the body's bytes (chunked framing already removed). */
function nodeViewer(url: string): Promise<Collected & { headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise<void>((done) => response.on('close', () => done()));
      resolve({ headers: response.headers, bytes: () => Buffer.concat(chunks), ended });
    }).on('error', reject);
  });
}

/** A Web body read to its end. */
function webViewer(response: Response): Collected {
  const chunks: Uint8Array[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      chunks.push(chunk.value);
  })();
  return { bytes: () => Buffer.concat(chunks), ended };
}

/** A handler over a fresh prefix, live events on, everyone allowed. */
function setup() {
  const prefix = uniquePrefix('sinks');
  const store = new RedisStore({ connection: redis, prefix });
  const handler = createProgressHandler({
    store,
    changes: { connection: redis, prefix },
    authorize: () => true,
  });
  return { store, handler };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('event stream sinks', () => {
  it('writes the same bytes to a Node response as to a Web body, for the same changes', async () => {
    const { store, handler } = setup();
    const returned: Response[] = [];
    // The same Request goes in: the Node adapter's path to its response is kept.
    const direct = await serve(async (request) => {
      const response = await handler(request);
      returned.push(response);
      return response;
    });
    // A copied Request: the handler cannot reach Node's response, so the adapter pumps a Web body.
    const pumped = await serve((request) => handler(new Request(request)));

    // Finished, so that its snapshot reads the same whenever each viewer's snapshot is read
    // (a running job's `elapsedMs` is as of the read).
    const a = new Progresser({ scope: ['user', 1], id: 'a', total: 3, store, persist: true });
    a.tick(3);
    await a.complete();
    const path = '/events?scope=user:1';
    const node = await nodeViewer(`${direct}${path}`);
    const viaPump = await nodeViewer(`${pumped}${path}`);
    const webResponse = await handler(new Request(`http://localhost${path}`));
    const web = webViewer(webResponse);
    const viewers = [node, viaPump, web];
    await waitFor(
      () => viewers.every((viewer) => viewer.bytes().includes('event: snapshot')),
      'three snapshots',
    );

    const b = new Progresser({ scope: ['user', 1], id: 'b', total: 5, store, persist: true });
    const c = new Progresser({ scope: ['user', 1], id: 'c', total: 2, store, persist: true });
    for (let item = 0; item < 5; item += 1) {
      b.tick();
      await b.flush();
    }
    c.tick();
    await c.flush();
    await b.complete();
    await c.fail(new Error('boom'));
    // Seen before the deletion: the hub reads a record once per burst of changes, and a record
    // read after its deletion is only `removed`.
    await waitFor(
      () => viewers.every((viewer) => viewer.bytes().includes('"status":"failed"')),
      'the failure at every viewer',
    );
    await store.delete(['user', 1], 'c');
    await waitFor(
      () => viewers.every((viewer) => viewer.bytes().includes('event: removed')),
      'the removal at every viewer',
    );
    await handler.close();
    await Promise.all(viewers.map((viewer) => viewer.ended));

    const text = node.bytes().toString('utf8');
    expect(text.startsWith('retry: 2000\n\nid: ')).toBe(true);
    expect(text).toContain('"status":"completed"');
    expect(text).toContain('"status":"failed"');
    expect(text).toBe(web.bytes().toString('utf8'));
    expect(viaPump.bytes().toString('utf8')).toBe(text);
    // The first went to Node's response directly (no body to pump), the second through a body.
    expect(returned[0]?.body).toBeNull();
    for (const [name, value] of webResponse.headers) {
      expect(node.headers[name]).toBe(value);
      expect(viaPump.headers[name]).toBe(value);
    }
  });

  it('drops a Web-body viewer whose request is aborted or whose body is cancelled', async () => {
    const { handler } = setup();
    const abort = new AbortController();
    const aborted = webViewer(
      await handler(new Request('http://localhost/events?scope=user:1', { signal: abort.signal })),
    );
    const cancelled = await handler(new Request('http://localhost/events?scope=user:1'));
    await waitFor(() => aborted.bytes().includes('event: snapshot'), 'the snapshot');
    expect(handler.viewers).toBe(2);
    abort.abort();
    await waitFor(() => handler.viewers === 1, 'the aborted viewer to leave');
    await aborted.ended;
    await cancelled.body?.cancel();
    await waitFor(() => handler.viewers === 0, 'the cancelled viewer to leave');
    await handler.close();
  });

  it('sends the head a wrapper returns on the Node path, and ends the stream it replaced', async () => {
    const { handler } = setup();
    const returned: Response[] = [];
    const url = await serve(async (request) => {
      const response = await handler(request);
      returned.push(response);
      if (new URL(request.url).searchParams.get('scope') === 'user:2')
        return Response.json({ error: 'replaced' }, { status: 403 });
      response.headers.set('access-control-allow-origin', 'https://app.example');
      return response;
    });
    const kept = await nodeViewer(`${url}/events?scope=user:1`);
    await waitFor(() => kept.bytes().includes('event: snapshot'), 'the snapshot');
    expect(returned[0]?.body).toBeNull();
    expect(kept.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(kept.headers['content-type']).toBe('text/event-stream; charset=utf-8');

    const replaced = await nodeViewer(`${url}/events?scope=user:2`);
    await replaced.ended;
    expect(JSON.parse(replaced.bytes().toString('utf8'))).toEqual({ error: 'replaced' });
    expect(replaced.headers['content-type']).toMatch(/^application\/json/);
    await waitFor(() => handler.viewers === 1, 'the replaced stream to end');
    await handler.close();
    await kept.ended;
  });
});
