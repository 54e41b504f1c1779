import { Progresser, RedisStore } from 'progressrus';
import { type BenchContext, commandDelta, commandStats } from './lib/context.js';
import { atMost, type Benchmark, type BenchRow } from './lib/result.js';
import { fmt, nowMs, yieldToLoop } from './lib/stats.js';

const DURATION_MS = 30_000;
const INTERVAL_MS = 2_000;
// Ticks between two yields to the event loop: a busy job that still lets timers run.
const TICKS_PER_TURN = 1_000;
const BAR_WRITES = DURATION_MS / INTERVAL_MS + 2;

/**
 * Bar 2: a 30 s job ticking as fast as it can (far above 100,000 ticks/s) writes about
 * duration / interval + 2 times. Counted on the server with INFO commandstats: each write is
 * one script call (EVALSHA) round trip, so writes = EVALSHA calls; the commands the script
 * runs are reported too.
 */
export const writesBenchmark: Benchmark = {
  name: 'writes',
  description: 'Redis writes of a 30 s job ticking ≥ 100,000 times a second',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const redis = await context.redis();
    const admin = await context.admin();
    const store = new RedisStore({ connection: redis, prefix: context.unique('writes') });
    // The server learns the write script first (EVALSHA, NOSCRIPT, EVAL), outside the count.
    await new Progresser({ scope: ['writes', 0], store }).complete();
    const before = await commandStats(admin);
    const progress = new Progresser({
      scope: ['writes', 1],
      total: null,
      store,
      intervalMs: INTERVAL_MS,
    });
    const start = nowMs();
    while (nowMs() - start < DURATION_MS) {
      for (let i = 0; i < TICKS_PER_TURN; i++) progress.tick();
      await yieldToLoop();
    }
    const elapsedMs = nowMs() - start;
    await progress.complete();
    const delta = commandDelta(before, await commandStats(admin));
    const writes = (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0) + (delta.get('exec') ?? 0);
    const commands = [...delta.values()].reduce((sum, calls) => sum + calls, 0);
    const ticksPerSecond = progress.count / (elapsedMs / 1000);
    const breakdown = [...delta].map(([name, calls]) => `${name} ${calls}`).join(', ');
    context.log(
      `writes: ${fmt(progress.count)} ticks in ${fmt(elapsedMs)} ms; commands: ${breakdown}`,
    );
    return [
      {
        id: 'writes.perJob',
        what: `Writes of a ${DURATION_MS / 1000} s job at ${fmt(ticksPerSecond / 1e6, 1)} M ticks/s, 2 s interval (INFO commandstats)`,
        measured: `${writes} writes (script call round trips) for ${fmt(progress.count)} ticks; ${commands} commands in all, those the scripts run included`,
        value: writes,
        bar: `≤ ${BAR_WRITES} writes`,
        pass: atMost(writes, BAR_WRITES),
        details: {
          ticks: progress.count,
          elapsedMs,
          ticksPerSecond,
          writes,
          commands,
          byCommand: Object.fromEntries(delta),
        },
      },
    ];
  },
};
