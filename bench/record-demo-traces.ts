/**
 * Records the (time, count) traces of real demo jobs for the ETA benchmark, into
 * `fixtures/demo-traces.json`. Run once with `npx tsx record-demo-traces.ts` (about two
 * minutes of wall time); the benchmark replays the fixture, so its results do not depend on
 * the machine it runs on.
 *
 * Each job is planned by the demo's own templates (`apps/demo/src/workload/job-plan.ts`) and run
 * by the demo's own processor (`processor.ts`), on the real clock, all at once in one process
 * as the demo's workers run them, with a Progresser counting its ticks: so the traces hold the
 * processor's rate shapes, stalls and bursts together with real timer jitter. A job that the
 * plan fails on its first attempts is recorded on the attempt that succeeds; a job planned with
 * a delay or children runs its own items without them; a total found out late or never is
 * taken as the items done (what the benchmark's reader is told from the start).
 */
import { writeFileSync } from 'node:fs';
import type { Job } from 'bullmq';
import { MemoryStore, Progresser } from 'progressrus';
import { seededRandom } from 'progressrus/testing';
import { type DemoJobData, TEMPLATES } from '../apps/demo/src/workload/job-plan.js';
import { demoProcessor } from '../apps/demo/src/workload/processor.js';
import type { DemoTraces, TracedJob } from './lib/demo-traces.js';

const JOBS_PER_TEMPLATE = 2;
const SEED = 14;

async function record(name: string, queue: string, planned: DemoJobData): Promise<TracedJob> {
  const data: DemoJobData = { ...planned, delayFirstMs: 0, children: [] };
  const store = new MemoryStore();
  const progress = new Progresser({ scope: ['trace'], id: name, store, intervalMs: 2_000 });
  const points: [number, number][] = [];
  const startMs = Date.now();
  const tick = progress.tick.bind(progress);
  progress.tick = (n = 1) => {
    tick(n);
    points.push([Date.now() - startMs, progress.count]);
  };
  const job = {
    data,
    // The attempt the plan lets succeed.
    attemptsMade: data.failure?.attempts ?? 0,
  } as unknown as Job<DemoJobData>;
  await demoProcessor(new AbortController().signal, async () => undefined)(job, progress);
  await progress.complete();
  // Delta-encoded: [ms since the previous tick, items since the previous tick], as a flat list.
  const deltas: number[] = [];
  let previous: [number, number] = [0, 0];
  for (const point of points) {
    deltas.push(point[0] - previous[0], point[1] - previous[1]);
    previous = point;
  }
  return { name, queue, shape: data.shape, items: data.items, stall: data.stall, deltas };
}

const random = seededRandom(SEED);
const planned = Object.values(TEMPLATES).flatMap((template) =>
  Array.from({ length: JOBS_PER_TEMPLATE }, () => template(1, random)),
);
console.error(`recording ${planned.length} demo jobs in real time…`);
const jobs = await Promise.all(planned.map((job) => record(job.name, job.queue, job.data)));
const fixture: DemoTraces = {
  recordedAt: new Date().toISOString(),
  how: `npx tsx bench/record-demo-traces.ts: ${JOBS_PER_TEMPLATE} jobs per template of apps/demo/src/workload/job-plan.ts (seed ${SEED}), run at once by the demo's processor on the real clock; deltas = [ms, items] between consecutive ticks from the processor's start`,
  jobs,
};
writeFileSync(
  new URL('./fixtures/demo-traces.json', import.meta.url),
  `${JSON.stringify(fixture)}\n`,
);
console.error('written bench/fixtures/demo-traces.json');
