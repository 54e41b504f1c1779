import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

/** The test page (React, the hook, the components, the stylesheet), bundled in memory by vite. */
export async function bundlePage(): Promise<
  Map<string, { type: string; body: string | Uint8Array }>
> {
  const output = (await build({
    root: PAGE_DIR,
    configFile: false,
    // 'error': the "use client" directives warn when bundled, which is harmless here.
    logLevel: 'error',
    build: { write: false, minify: false, sourcemap: false },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const files = new Map<string, { type: string; body: string | Uint8Array }>();
  for (const result of Array.isArray(output) ? output : [output]) {
    for (const file of result.output) {
      const body = file.type === 'chunk' ? file.code : file.source;
      files.set(`/${file.fileName}`, { type: contentType(file.fileName), body });
    }
  }
  return files;
}

function contentType(name: string): string {
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.js')) return 'text/javascript; charset=utf-8';
  if (name.endsWith('.css')) return 'text/css; charset=utf-8';
  return 'application/octet-stream';
}

export interface PageServer {
  readonly origin: string;
  /** Every API request: path and the Last-Event-ID header it carried, if any. */
  readonly apiRequests: ReadonlyArray<{
    readonly path: string;
    readonly lastEventId: string | null;
  }>;
  /** Cuts every open connection (event streams included), as a restarting proxy would. */
  dropConnections(): void;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves the page and, on the same origin, each API under its mount path. */
export async function startPageServer(
  files: Map<string, { type: string; body: string | Uint8Array }>,
  apis: Readonly<Record<string, NodeHandler>>,
): Promise<PageServer> {
  const apiRequests: Array<{ path: string; lastEventId: string | null }> = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const mount = Object.keys(apis).find((base) => path.startsWith(`${base}/`));
    if (mount !== undefined) {
      const lastEventId = req.headers['last-event-id'];
      apiRequests.push({ path, lastEventId: typeof lastEventId === 'string' ? lastEventId : null });
      return apis[mount]?.(req, res);
    }
    const file = files.get(path === '/' ? '/index.html' : path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    apiRequests,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        // Open event streams would keep the server alive.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
