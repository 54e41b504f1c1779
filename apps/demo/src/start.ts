import { randomBytes } from 'node:crypto';
import { banner } from './start/banner.js';
import { ensureBuilt } from './start/build.js';
import { ChildGroup } from './start/child-group.js';
import { choosePort, type NextAppServer, startNextApp } from './start/next-app.js';
import { ADMIN_DIR, PORTAL_DIR } from './start/paths.js';
import { QUEUES } from './workload/job-plan.js';

/**
 * `npm start`: the whole demo on one machine. Builds what is out of date, starts a private
 * redis-server unless REDIS_URL is set, the admin app and the portal (`next start` each), and
 * the demo's workers and producer; prints the dashboard's URL and credentials and the portal's
 * URL. Ctrl-C (SIGINT) or SIGTERM stops everything, last started first, and exits 0.
 *
 * Only Node built-ins and this package's own files are imported up front: the library is
 * imported after it has been built.
 */

const children = new ChildGroup();
// The startup step in progress: a stop waits for it, so nothing it starts is left behind.
let step: Promise<unknown> = Promise.resolve();
let stopping: Promise<void> | null = null;

const log = (line: string) => console.log(line);

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    await children.stopAll();
    await Promise.race([
      step.catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, 15_000).unref()),
    ]);
    await children.stopAll();
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Ctrl-C reaches us twice (from the terminal, and forwarded by npm): one stop is enough, and
    // every step of it is bounded, so nothing is ever left running by exiting half-way.
    if (stopping) return;
    log('\nStopping…');
    void stop(0);
  });
}

/** Runs one startup step so that a stop can wait for it. */
function run<T>(work: Promise<T>): Promise<T> {
  step = work;
  return work;
}

async function main(): Promise<void> {
  log('Starting the Progressrus demo…');
  // The library first: it can tell at once whether Redis is there, before the long admin build.
  await run(ensureBuilt(children, log, ['progressrus']));
  if (stopping) return;

  const { RedisServerNotFoundError, startRedisServer } = await import('progressrus/testing');
  let redisUrl = process.env.REDIS_URL?.trim() || undefined;
  const privateRedis = redisUrl === undefined;
  if (redisUrl === undefined) {
    try {
      // Its own process group: Ctrl-C must not kill Redis before the workers have stopped.
      const redis = await run(startRedisServer({ detached: true }));
      children.addStopper(() => redis.stop());
      redisUrl = redis.url;
    } catch (error) {
      if (!(error instanceof RedisServerNotFoundError)) throw error;
      console.error(`\n${error.message}\n`);
      return stop(1);
    }
    if (stopping) return;
  }

  await run(
    ensureBuilt(children, log, ['@progressrus/ui', '@progressrus/admin', '@progressrus/portal']),
  );
  if (stopping) return;

  const user = process.env.ADMIN_USER?.trim() || 'admin';
  const credentialsFromEnv = Boolean(process.env.ADMIN_PASSWORD?.trim());
  const password = process.env.ADMIN_PASSWORD?.trim() || randomBytes(12).toString('base64url');
  const port = process.env.PORT ? Number(process.env.PORT) : await choosePort(3000);
  const portalPort = process.env.PORTAL_PORT
    ? Number(process.env.PORTAL_PORT)
    : await choosePort(port === 3001 ? 3002 : 3001, [port]);
  const portalUrl = `http://localhost:${portalPort}`;
  const shared: Record<string, string> = { REDIS_URL: redisUrl };
  for (const name of ['PROGRESSRUS_PREFIX', 'BULLMQ_PREFIX'] as const) {
    const value = process.env[name];
    if (value) shared[name] = value;
  }
  log(`Starting the admin app on port ${port} and the portal on port ${portalPort}…`);
  const servers = await run(
    Promise.all([
      startNextApp(children, {
        dir: ADMIN_DIR,
        name: 'The admin app',
        port,
        env: {
          ...shared,
          ADMIN_USER: user,
          ADMIN_PASSWORD: password,
          PROGRESSRUS_QUEUES: QUEUES.join(','),
          PORTAL_URL: portalUrl,
        },
      }),
      startNextApp(children, {
        dir: PORTAL_DIR,
        name: 'The portal',
        port: portalPort,
        env: {
          ...shared,
          // Signs the portal's sessions and progress tokens; a new one per run signs everyone out.
          PORTAL_SECRET: process.env.PORTAL_SECRET?.trim() || randomBytes(32).toString('base64url'),
        },
      }),
    ]),
  );
  for (const server of servers) watchExit(server);
  if (stopping) return;

  const { startWorkload } = await import('./workload.js');
  const workload = await run(startWorkload({ redisUrl }));
  children.addStopper(() => workload.close());
  if (stopping) return;

  log(
    banner({
      url: `http://localhost:${port}`,
      portalUrl,
      user,
      password,
      credentialsFromEnv,
      redisUrl,
      privateRedis,
      queues: QUEUES,
    }),
  );
}

/** A server that stops by itself stops the demo, with what it printed last. */
function watchExit(server: NextAppServer): void {
  server.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`\n${server.name} stopped (exit ${code}):\n${server.output()}`);
    void stop(1);
  });
}

main().catch((error: unknown) => {
  if (stopping) return;
  console.error(
    `\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  void stop(1);
});
