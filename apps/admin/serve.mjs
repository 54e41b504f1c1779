// `next start` in WEB_CONCURRENCY processes that share one port (Node's cluster module): one
// Next.js process renders pages on one core, so a dashboard that many people load at once
// needs one process per core. Without WEB_CONCURRENCY (or with 1) it is `next start` itself.
//   node serve.mjs --port 3000 --hostname 0.0.0.0
import cluster from 'node:cluster';
import { createRequire } from 'node:module';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const raw = process.env.WEB_CONCURRENCY ?? '1';
const processes = Number(raw);
if (!Number.isInteger(processes) || processes < 1 || processes > 64) {
  console.error(`WEB_CONCURRENCY must be a whole number from 1 to 64, got ${JSON.stringify(raw)}`);
  process.exit(2);
}

if (cluster.isPrimary && processes > 1) {
  let stopping = false;
  const stop = (signal) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  cluster.on('exit', (worker, code, signal) => {
    // One process gone by itself means the server is not what it was started as: stop the
    // others and exit with its status, so the supervisor (Docker, systemd) restarts all of it.
    if (!stopping) {
      console.error(`admin process ${worker.process.pid} exited (${signal ?? code}); stopping`);
      stop('SIGTERM');
      process.exitCode = code || 1;
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
  // A larger young generation: a page's garbage dies with its request, but with many requests
  // in flight per process V8's default semi-space promotes much of it to the old generation.
  // 32 MB took 4 % less CPU per scope page with 25 requests in flight (bench/admin-load.ts).
  cluster.setupPrimary({ execArgv: [...process.execArgv, '--max-semi-space-size=32'] });
  for (let index = 0; index < processes; index += 1) cluster.fork();
} else {
  process.argv = [process.argv[0], nextBin, 'start', ...process.argv.slice(2)];
  await import(nextBin);
}
