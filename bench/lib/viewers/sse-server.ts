// Child process of the `viewers` bench: the progress handler on a node http server, alone in
// its process so that its RSS and CPU are the handler's. Started by viewers-processes.ts.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { RedisStore } from 'progressrus';
import { createProgressHandler, toNodeHandler } from 'progressrus/http';
import type { ChildReport, ParentCommand } from './messages.js';

const redis = new Redis(process.env.REDIS_URL as string);
const prefix = process.env.PREFIX as string;
const handler = createProgressHandler({
  store: new RedisStore({ connection: redis, prefix }),
  changes: { connection: redis, prefix },
  authorize: async () => true,
});
const server = createServer(toNodeHandler(handler));
// 10,000 viewers connect within seconds: a short accept backlog would refuse some.
server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, () => {
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (command: ParentCommand) => {
  if (command.type === 'measure') {
    // Twice: the first collection frees what finalizers keep for one more cycle.
    globalThis.gc?.();
    globalThis.gc?.();
    // HEAP_DIR=/tmp/x: a heap snapshot at each measure, to see where per-viewer memory goes.
    if (process.env.HEAP_DIR)
      writeHeapSnapshot(`${process.env.HEAP_DIR}/${Date.now()}.heapsnapshot`);
    // PROFILE_DIR=/tmp/x: a CPU profile from one measure to the next (with viewers, of the
    // measured window), to see where the server's time per event goes.
    if (process.env.PROFILE_DIR && (profiler !== null || handler.viewers > 0))
      profile(process.env.PROFILE_DIR);
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({
      type: 'measured',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      // V8's young generation grows (to 2 × 16 MB) with the allocation rate and stays that size
      // after a GC: a per-process cost that the RSS per viewer includes.
      newSpaceBytes:
        getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
          ?.physical_space_size ?? 0,
      externalBytes: memory.external,
      cpuMicros: cpu.user + cpu.system,
      viewers: handler.viewers,
    });
  } else if (command.type === 'stop') {
    server.closeAllConnections();
    server.close();
    void handler
      .close()
      .then(() => redis.quit())
      .then(() => process.exit(0));
  }
});

let profiler: Session | null = null;

function profile(dir: string): void {
  if (profiler === null) {
    profiler = new Session();
    profiler.connect();
    profiler.post('Profiler.enable', () => profiler?.post('Profiler.start'));
    return;
  }
  const session = profiler;
  profiler = null;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(`${dir}/${Date.now()}.cpuprofile`, JSON.stringify(result.profile));
    session.disconnect();
  });
}

function send(report: ChildReport): void {
  process.send?.(report);
}
