import type { ProgressRecord, Store } from 'progressrus';
import { seededRandom } from 'progressrus/testing';

// Within the shortest retention (a day for completed records), so every seeded record is live.
const SPREAD_MS = 12 * 60 * 60 * 1000;
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
// Records go to the store in bursts of this many, each burst one batch of the store.
const BURST = 1_000;

/** Writes `records` jobs into one scope: a third completed, a tenth failed, the rest running. */
export async function seedScope(
  store: Store,
  scope: readonly (string | number)[],
  records: number,
): Promise<void> {
  const random = seededRandom(records);
  await inBursts(records, (index) => store.persist(jobRecord(scope, index, random)));
}

/** Writes one job into each of `count` scopes `tenant:<t>:user:<u>`, 10 tenants of `count / 10` users. */
export async function seedScopes(store: Store, count: number): Promise<void> {
  const random = seededRandom(count);
  const usersPerTenant = Math.ceil(count / 10);
  await inBursts(count, (index) =>
    store.persist(
      jobRecord(
        ['tenant', index % 10, 'user', Math.floor(index / 10) % usersPerTenant],
        index,
        random,
      ),
    ),
  );
}

async function inBursts(count: number, write: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += BURST) {
    const writes: Promise<void>[] = [];
    for (let index = start; index < Math.min(count, start + BURST); index++)
      writes.push(write(index));
    await Promise.all(writes);
  }
}

/**
 * A record as a BullMQ job's Progresser writes it, with activity in the last 12 hours. Built
 * directly rather than through a Progresser: seeding 110,000 Progressers would take longer
 * than everything the benchmark measures, and what is read back is the same.
 */
function jobRecord(
  scope: readonly (string | number)[],
  index: number,
  random: () => number,
): ProgressRecord {
  const updatedMs = Date.now() - Math.floor(random() * SPREAD_MS);
  const startedMs = updatedMs - Math.floor(random() * 600_000);
  const fate = index % 10;
  const completed = fate < 3 ? new Date(updatedMs) : null;
  const failed = fate === 3 ? new Date(updatedMs) : null;
  return {
    id: `imports:${index}`,
    name: `Import batch ${index}`,
    scope: scope.map(String),
    startedAt: new Date(startedMs),
    completedAt: completed,
    failedAt: failed,
    expiresAt: new Date(updatedMs + (completed ? SPREAD_MS * 2 : WEEK_MS)),
    count: completed ? 1_000 : Math.floor(random() * 1_000),
    total: 1_000,
    params: { file: `uploads/${index}.csv`, requestedBy: index % 97 },
    errorCount: fate === 3 ? 1 : 0,
    updatedAt: new Date(updatedMs),
    ratePerSecond: completed ? null : 1 + random() * 50,
    intervalMs: 2_000,
    state: null,
    errorMessage: failed ? 'Row 17: unknown column "amount"' : null,
    queue: 'imports',
    jobId: String(index),
    attempt: 1,
    actions: [],
    history: [],
  };
}
