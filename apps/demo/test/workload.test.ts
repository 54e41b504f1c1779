import { Redis } from 'ioredis';
import { RedisStore, STATUSES, type Status } from 'progressrus';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Workload, startWorkload } from '../src/workload.js';
import { USERS } from '../src/workload/job-plan.js';

describe('startWorkload', () => {
  const redis = new Redis(inject('redisUrl'));
  let workload: Workload | undefined;
  afterAll(async () => {
    await workload?.close();
    await redis.quit();
  });

  it('puts every status on the dashboard within a couple of minutes, in the scopes of users 1–7', async () => {
    await redis.flushdb();
    workload = await startWorkload({ redisUrl: inject('redisUrl') });
    expect(workload.initialJobs).toBeGreaterThanOrEqual(10);
    const store = new RedisStore({ connection: redis });
    const seen = new Set<Status>();
    const scopes = new Set<string>();
    const names = new Set<string>();
    while (seen.size < STATUSES.length) {
      for (const user of USERS) {
        for (const tick of await store.scope(['user', user])) {
          seen.add(tick.status);
          scopes.add(tick.scope.join(':'));
          names.add(tick.name);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect([...seen].sort()).toEqual([...STATUSES].sort());
    expect([...scopes].every((scope) => /^user:[1-7]$/.test(scope))).toBe(true);
    expect(names).toContain('csv-import');
    expect(names).toContain('monthly-report');
  }, 150_000);

  it('stops without waiting for running jobs and leaves nothing that keeps the process alive', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    await workload?.close();
    await workload?.close();
    const after = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    expect(after).toBeLessThan(before);
  });
});
