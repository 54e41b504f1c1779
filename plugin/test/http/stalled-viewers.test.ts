import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { JobDTO } from '../../src/core/dto.js';
import { createProgressHandler } from '../../src/http/index.js';
import { Progresser, RedisStore } from '../../src/index.js';
import { connectRedis, sleep, uniquePrefix } from '../helpers.js';
import { serve } from './http-helpers.js';

const redis = connectRedis();

interface Received {
  readonly id: string;
  readonly job: string;
  readonly count: number;
  readonly status: string;
}

/** A raw SSE viewer (node http, as light as 1,000 of them in one test can be): its `job` events. */
function liveViewer(url: string, scope: string) {
  const events: Received[] = [];
  let closed = false;
  const ready = new Promise<IncomingMessage>((resolve, reject) => {
    get(`${url}/events?scope=${scope}`, { agent: false }, (response) => {
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.includes('event: snapshot')) resolve(response);
          if (!block.includes('event: job')) continue;
          const id = /^id: (.+)$/m.exec(block)?.[1] as string;
          const job = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] as string) as JobDTO;
          events.push({ id, job: job.id, count: job.count, status: job.status });
        }
      });
      response.on('close', () => {
        closed = true;
      });
    }).on('error', reject);
  });
  return { events, ready, closed: () => closed };
}

/** A client that sends its request, then never reads: the kernel's buffers fill, then the server's. */
function pausedViewer(port: number, scope: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause();
      socket.write(`GET /events?scope=${scope} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, () =>
        resolve(socket),
      );
    });
    socket.on('error', reject);
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

function setup(maxQueuedBytes: number) {
  const prefix = uniquePrefix('stalled');
  const store = new RedisStore({ connection: redis, prefix });
  const handler = createProgressHandler({
    store,
    changes: { connection: redis, prefix },
    authorize: () => true,
    maxQueuedBytes,
    onError: () => {},
  });
  return { store, handler };
}

/** What every live viewer must have: the same events, in id order, each job ending completed. */
function expectAllInOrder(viewers: { events: Received[] }[], jobs: readonly string[]): void {
  const first = viewers[0]?.events ?? [];
  const ids = first.map((event) => event.id);
  const ordered = [...ids].sort((a, b) => {
    const [ams, aseq] = a.split('-').map(Number) as [number, number];
    const [bms, bseq] = b.split('-').map(Number) as [number, number];
    return ams - bms || aseq - bseq;
  });
  expect(ids).toEqual(ordered);
  expect(new Set(ids).size).toBe(ids.length);
  for (const job of jobs) {
    const counts = first.filter((event) => event.job === job).map((event) => event.count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(first.findLast((event) => event.job === job)?.status).toBe('completed');
  }
  for (const viewer of viewers) expect(viewer.events).toEqual(first);
}

describe('stalled viewers', () => {
  it('drops 100 viewers that stop reading while 1,000 live ones get every event in order', async () => {
    const { store, handler } = setup(32 * 1024);
    const url = await serve(handler);
    const live = Array.from({ length: 1_000 }, () => liveViewer(url, 'user:1'));
    await Promise.all(live.map((viewer) => viewer.ready));
    // Bodies nobody reads: what a host holds for a client that stopped reading.
    const stalled = await Promise.all(
      Array.from({ length: 100 }, () =>
        handler(new Request('http://localhost/events?scope=user:1')),
      ),
    );
    await waitFor(() => handler.viewers === 1_100, '1,100 viewers');

    // Records of ~4 KB: 32 KiB is a handful of events behind.
    const params = { note: 'x'.repeat(4_000) };
    const jobs = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(
      jobs.map(async (id) => {
        const progress = new Progresser({ scope: ['user', 1], id, total: 6, params, store });
        for (let item = 0; item < 5; item += 1) {
          progress.tick();
          await progress.flush();
          await sleep(20);
        }
        progress.tick();
        await progress.complete();
      }),
    );
    await waitFor(
      () =>
        live.every((viewer) =>
          jobs.every((job) =>
            viewer.events.some((event) => event.job === job && event.status === 'completed'),
          ),
        ),
      'every live viewer to see every job completed',
    );

    expect(handler.viewers).toBe(1_000);
    for (const response of stalled) {
      await expect((response.body as ReadableStream).getReader().read()).rejects.toThrow(
        /fell more than 32768 bytes behind/,
      );
    }
    expect(live.some((viewer) => viewer.closed())).toBe(false);
    expectAllInOrder(live, jobs);
    await handler.close();
  }, 120_000);

  it('destroys the socket of a client that stopped reading, once the kernel buffers are full', async () => {
    const { store, handler } = setup(32 * 1024);
    const url = await serve(handler);
    const port = Number(new URL(url).port);
    const live = Array.from({ length: 10 }, () => liveViewer(url, 'user:2'));
    await Promise.all(live.map((viewer) => viewer.ready));
    const paused = await Promise.all(
      Array.from({ length: 10 }, () => pausedViewer(port, 'user:2')),
    );
    await waitFor(() => handler.viewers === 20, '20 viewers');

    // 150 writes of ~64 KB: more than a loopback socket's kernel buffers hold (~4 MB).
    const progress = new Progresser({
      scope: ['user', 2],
      id: 'big',
      total: 151,
      params: { note: 'x'.repeat(64_000) },
      store,
    });
    for (let count = 1; count <= 150; count += 1) {
      progress.tick();
      await progress.flush();
      // One event per write: the hub never coalesces two writes the live viewers must see.
      await waitFor(
        () => live.every((viewer) => viewer.events.at(-1)?.count === count),
        `count ${count} at every live viewer`,
      );
    }
    progress.tick();
    await progress.complete();
    await waitFor(
      () => live.every((viewer) => viewer.events.at(-1)?.status === 'completed'),
      'completed at every live viewer',
    );

    expect(handler.viewers).toBe(10);
    // Reading now, the paused clients get what the kernel held, then the end of a closed socket.
    const endings = paused.map(
      (socket) =>
        new Promise<string>((resolve) => {
          let text = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => {
            text += chunk;
          });
          socket.on('close', () => resolve(text));
          socket.resume();
        }),
    );
    for (const text of await Promise.all(endings)) {
      expect(text).toContain('event: snapshot');
      expect(text).not.toContain('"status":"completed"');
    }
    expect(live.some((viewer) => viewer.closed())).toBe(false);
    expectAllInOrder(live, ['big']);
    await handler.close();
  }, 180_000);
});
