import { Progresser, RedisStore } from 'progressrus';
import type { BenchContext } from './lib/context.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, median, nowNs, yieldToLoop } from './lib/stats.js';

const TICKS = 50_000_000;
// The loop yields to the event loop between chunks, as a real job does, so the throttle's
// timer can fire and write to Redis while the ticks go on.
const CHUNK = 1_000_000;
const ROUNDS = 5;
const BAR_NS = 10;

/** Bar 1: the cost of `tick()` over 50 M ticks with a RedisStore attached, net of an empty loop. */
export const tickBenchmark: Benchmark = {
  name: 'tick',
  description: 'tick() in a tight loop against an empty loop',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const store = new RedisStore({
      connection: await context.redis(),
      prefix: context.unique('tick'),
    });
    const empty: number[] = [];
    const ticking: number[] = [];
    // Alternate the two loops so that a noisy neighbour slows both alike.
    for (let round = 0; round < ROUNDS; round++) {
      empty.push((await emptyLoop()) / TICKS);
      ticking.push((await tickLoop(store, round)) / TICKS);
    }
    const emptyNs = median(empty);
    const tickNs = median(ticking);
    const netNs = Math.max(0, tickNs - emptyNs);
    context.log(`tick: ${fmt(tickNs, 2)} ns/iteration with tick(), ${fmt(emptyNs, 2)} ns empty`);
    return [
      {
        id: 'tick.ns',
        what: '`tick()`, 50 M ticks, RedisStore attached, 2 s interval',
        measured: `${fmt(netNs, 2)} ns/tick (loop ${fmt(tickNs, 2)} ns − empty loop ${fmt(emptyNs, 2)} ns)`,
        value: netNs,
        bar: `≤ ${BAR_NS} ns`,
        pass: atMost(netNs, BAR_NS),
        details: { ticks: TICKS, rounds: ROUNDS, tickLoopNs: ticking, emptyLoopNs: empty },
      },
    ];
  },
};

// The inner loops are plain functions so that V8 optimises them as it would a job's loop;
// a loop inside an async function is compiled less well and would flatter the baseline.
function emptyChunk(sink: { count: number }): void {
  let count = sink.count;
  for (let i = 0; i < CHUNK; i++) count += 1;
  sink.count = count;
}

function tickChunk(progress: Progresser): void {
  for (let i = 0; i < CHUNK; i++) progress.tick();
}

async function emptyLoop(): Promise<number> {
  // The sum is checked afterwards, so the loop cannot be optimised away.
  const sink = { count: 0 };
  const start = nowNs();
  for (let done = 0; done < TICKS; done += CHUNK) {
    emptyChunk(sink);
    await yieldToLoop();
  }
  const elapsed = nowNs() - start;
  if (sink.count !== TICKS) throw new Error('empty loop miscounted');
  return elapsed;
}

async function tickLoop(store: RedisStore, round: number): Promise<number> {
  const progress = new Progresser({
    scope: ['tick', round],
    total: TICKS,
    store,
    intervalMs: 2000,
  });
  const start = nowNs();
  for (let done = 0; done < TICKS; done += CHUNK) {
    tickChunk(progress);
    await yieldToLoop();
  }
  const elapsed = nowNs() - start;
  await progress.complete();
  if (progress.count !== TICKS) throw new Error('tick loop miscounted');
  return elapsed;
}
