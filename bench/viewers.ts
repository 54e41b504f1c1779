import { BenchChild } from './lib/viewers/child-process.js';
import type { BenchContext } from './lib/context.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, quantile } from './lib/stats.js';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10_000);
const VIEWER_PROCESSES = 4;
const SCOPES = 500;
const JOBS = 200;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 30_000);
const SETTLE_MS = 5_000;
const LOG_FILL_MS = 25_000;
const LATENCY_BAR_MS = 1_000;
const MEMORY_BAR_KB = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DESIGN §5 "live update, write to screen ≤ 1 s at p95, with 10,000 viewers on one process" and
 * "server memory per live viewer ≤ 20 KB": the progress handler alone in one process (node http,
 * RedisStore and its change feed), 10,000 raw SSE viewers in 4 other processes over 500 scopes,
 * 200 jobs in a fifth writing every 200–500 ms. Latency is the record's `updatedAt` to the moment
 * a viewer parsed its event; memory is the server's RSS (after a full GC) with the viewers minus
 * before, per viewer.
 */
export const viewersBenchmark: Benchmark = {
  name: 'viewers',
  description: `${fmt(VIEWERS)} SSE viewers of ${SCOPES} scopes, ${JOBS} jobs writing`,
  async run(context) {
    const children: BenchChild[] = [];
    try {
      return await measure(context, children);
    } finally {
      await Promise.all(children.map((child) => child.stop()));
    }
  },
};

async function measure(context: BenchContext, children: BenchChild[]): Promise<BenchRow[]> {
  const env = { REDIS_URL: await context.redisUrl(), PREFIX: context.unique('viewers') };
  const server = new BenchChild('./sse-server.ts', env);
  children.push(server);
  const { port } = await server.next('ready');
  const writers = new BenchChild('./job-writers.ts', {
    ...env,
    JOBS: `${JOBS}`,
    SCOPES: `${SCOPES}`,
  });
  children.push(writers);
  await writers.next('ready');
  await warmUp(port as number);
  // The handler's replay log (the last 10,000 changes, shared by all viewers, not per viewer)
  // fills in ~20 s of writes: the baseline includes it, or viewers would be charged for it.
  await sleep(LOG_FILL_MS);
  const before = await measureServer(server);
  context.log(`server before viewers: ${memory(before)}`);

  const scopes = Array.from({ length: SCOPES }, (_, index) => `viewers:${index}`);
  const viewerChildren = Array.from(
    { length: VIEWER_PROCESSES },
    () =>
      new BenchChild('./sse-viewers.ts', { VIEWERS: `${Math.round(VIEWERS / VIEWER_PROCESSES)}` }),
  );
  children.push(...viewerChildren);
  await Promise.all(viewerChildren.map((child) => child.next('ready')));
  const connectedAt = Date.now();
  const connecting = viewerChildren.map((child) => child.next('connected'));
  // Each process takes the scopes in its own order, so every scope gets viewers from all of them.
  for (const [index, child] of viewerChildren.entries())
    child.send({ type: 'connect', port: port as number, scopes: rotate(scopes, index * 125) });
  const connected = await Promise.all(connecting);
  const failed = connected.reduce((sum, report) => sum + report.failed, 0);
  context.log(
    `${fmt(VIEWERS - failed)} viewers connected in ${fmt((Date.now() - connectedAt) / 1000, 1)} s (${failed} failed)`,
  );
  await sleep(SETTLE_MS);
  const withViewers = await measureServer(server);
  const viewers = withViewers.viewers;
  context.log(`server with ${fmt(viewers)} viewers: ${memory(withViewers)}`);

  for (const child of viewerChildren) child.send({ type: 'start' });
  const startedAt = Date.now();
  await sleep(MEASURE_MS);
  const reports = await Promise.all(
    viewerChildren.map((child) => {
      const report = child.next('latencies');
      child.send({ type: 'report' });
      return report;
    }),
  );
  const after = await measureServer(server);
  const cpuPercent =
    ((after.cpuMicros - withViewers.cpuMicros) / 1000 / (Date.now() - startedAt)) * 100;
  const latencies = reports.flatMap((report) => report.latenciesMs);
  const lost = reports.reduce((sum, report) => sum + report.lost, 0);
  const unparsed = reports.reduce((sum, report) => sum + report.unparsed, 0);
  const p95 = quantile(latencies, 0.95);
  const perViewerKb = (withViewers.rssBytes - before.rssBytes) / 1024 / viewers;
  const heapPerViewerKb = (withViewers.heapUsedBytes - before.heapUsedBytes) / 1024 / viewers;
  const youngPerViewerKb = (withViewers.newSpaceBytes - before.newSpaceBytes) / 1024 / viewers;
  // Server CPU per event a viewer received: what one more viewer of a busy scope costs.
  const cpuMicrosPerEvent = (after.cpuMicros - withViewers.cpuMicros) / latencies.length;
  const details = {
    viewers,
    failed,
    lost,
    unparsed,
    events: latencies.length,
    medianMs: median(latencies),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.reduce((max, value) => Math.max(max, value), 0),
    rssBeforeBytes: before.rssBytes,
    rssWithViewersBytes: withViewers.rssBytes,
    rssAfterBytes: after.rssBytes,
    heapPerViewerKb,
    youngPerViewerKb,
    cpuPercent,
    cpuMicrosPerEvent,
  };
  return [
    {
      id: 'viewers.latency',
      what: `Write to viewer, ${fmt(viewers)} SSE viewers of ${SCOPES} scopes on one handler process, ${JOBS} jobs writing every 200–500 ms (${MEASURE_MS / 1000} s)`,
      measured: `p95 ${fmt(p95)} ms (median ${fmt(median(latencies))} ms, ${fmt(latencies.length)} events, ${lost} viewers dropped); server CPU ${fmt(cpuPercent)} %, ${fmt(cpuMicrosPerEvent, 1)} µs per event delivered`,
      value: p95,
      bar: `≤ ${fmt(LATENCY_BAR_MS)} ms at p95`,
      pass: viewers >= VIEWERS && atMost(p95, LATENCY_BAR_MS),
      details,
    },
    {
      id: 'viewers.memory',
      what: `Server memory per live viewer, ${fmt(viewers)} viewers (RSS after GC, with − before)`,
      measured: `${fmt(perViewerKb, 1)} KB (${mb(before.rssBytes)} → ${mb(withViewers.rssBytes)}; JS heap ${fmt(heapPerViewerKb, 1)} KB of it; V8's young generation, grown by the traffic, ${fmt(youngPerViewerKb, 1)} KB)`,
      value: perViewerKb,
      bar: `≤ ${MEMORY_BAR_KB} KB`,
      pass: viewers >= VIEWERS && atMost(perViewerKb, MEMORY_BAR_KB),
      details,
    },
  ];
}

/** One viewer comes and goes first, so the code paths and the subscription are in place before the baseline. */
async function warmUp(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/events?scope=viewers:0`);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  await reader.cancel();
}

function measureServer(server: BenchChild) {
  const measured = server.next('measured');
  server.send({ type: 'measure' });
  return measured;
}

function rotate<T>(values: readonly T[], by: number): T[] {
  return [...values.slice(by), ...values.slice(0, by)];
}

function memory(measured: Awaited<ReturnType<typeof measureServer>>): string {
  return `RSS ${mb(measured.rssBytes)}, heap ${mb(measured.heapUsedBytes)} used of ${mb(measured.heapTotalBytes)} (young generation ${mb(measured.newSpaceBytes)})`;
}

function mb(bytes: number): string {
  return `${fmt(bytes / 2 ** 20)} MB`;
}
