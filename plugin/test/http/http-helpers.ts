import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { toNodeHandler } from '../../src/http/index.js';

export const SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/** A real HTTP server on a free port, serving `handler` through the Node adapter. */
export async function serve(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads a streaming `fetch` response as Server-Sent Events. `next()` waits for the next event;
 * comments (`: ping`) and `retry:` are collected separately.
 */
export function sseReader(response: Response) {
  if (!response.body) throw new Error('no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const fields: { retry: string | null } = { retry: null };
  let buffer = '';
  const wake: { waiting: (() => void) | null } = { waiting: null };
  let done = false;
  (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += chunk.value;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | null = null;
          let event = 'message';
          let data: string | null = null;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
            else if (line.startsWith('retry: ')) fields.retry = line.slice(7);
          }
          if (data !== null) events.push({ id, event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        wake.waiting?.();
      }
    } catch {
      // The test cancelled the body.
    } finally {
      done = true;
      wake.waiting?.();
    }
  })();
  let taken = 0;
  /** Waits until an event matching `match` arrives after the ones already taken; returns it. */
  async function next(
    match: (event: SseEvent) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (taken < events.length) {
        const event = events[taken++] as SseEvent;
        if (match(event)) return event;
      }
      if (done) throw new Error('stream ended');
      if (Date.now() > deadline) throw new Error('no matching event in time');
      await new Promise<void>((resolve) => {
        wake.waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
  }
  return {
    next,
    events,
    comments,
    fields,
    get done() {
      return done;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
