import 'server-only';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { BULL_BOARD_PATH, queues } from './queues';

const cache = globalThis as typeof globalThis & { __progressrusBullBoard?: Hono };

/**
 * bull-board as a Hono app mounted at /queues; the catch-all route handler passes it every
 * request. Its menu links back to the Progressrus pages.
 */
export function bullBoard(): Hono {
  if (cache.__progressrusBullBoard) return cache.__progressrusBullBoard;
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
    options: {
      uiConfig: {
        boardTitle: 'Progressrus queues',
        hideDocsLink: true,
        miscLinks: [{ text: '← Progressrus scopes', url: '/' }],
      },
    },
  });
  const app = new Hono().route(BULL_BOARD_PATH, adapter.registerPlugin());
  cache.__progressrusBullBoard = app;
  return app;
}
