import { describe, expect, it } from 'vitest';
import { runChaosSoak } from './chaos-soak.js';

describe('chaos soak (about 60 s of faults): Redis restarts on its AOF and worker SIGKILLs, at random', () => {
  it('ends with every record agreeing with its BullMQ job', async () => {
    const result = await runChaosSoak({
      jobs: 800,
      faultsForMs: 60_000,
      faultEveryMs: [2000, 5000],
      // Jobs of ~1 s, so that 800 of them outlast the minute of faults on a quiet machine
      // (ticks of 10–30 ms finished them in 16 s, after 4 faults).
      tickMs: [40, 120],
      seed: 17,
      // A loaded CI machine runs the jobs slowly: a safety bound, not a measure.
      settleMs: 180_000,
    });
    console.log(
      `chaos soak: ${result.jobs} jobs (${result.completed} completed, ${result.failed} failed), ${result.redisRestarts} Redis restarts, ${result.workerKills} worker kills, ${result.seconds.toFixed(0)} s, ${result.mismatches.length} mismatches`,
    );
    // Faults of both kinds happened while jobs ran (the jobs outlast the first faults).
    expect(result.redisRestarts).toBeGreaterThan(0);
    expect(result.workerKills).toBeGreaterThan(0);
    expect(result.completed + result.failed).toBe(800);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.mismatches).toEqual([]);
  }, 420_000);
});
