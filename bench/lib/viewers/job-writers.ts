// Child process of the `viewers` bench: JOBS Progressers on the same Redis as the handler, each
// ticking every 200–500 ms (so writing about that often), moving on to another scope when done
// so that over a run every scope sees changes.
import { Redis } from 'ioredis';
import { Progresser, RedisStore } from 'progressrus';
import { seededRandom } from 'progressrus/testing';
import type { ParentCommand } from './messages.js';

const JOBS = Number(process.env.JOBS);
const SCOPES = Number(process.env.SCOPES);
const ITEMS = 30;
const redis = new Redis(process.env.REDIS_URL as string);
const store = new RedisStore({ connection: redis, prefix: process.env.PREFIX as string });
const random = seededRandom(JOBS);
let running = true;
const jobs: Promise<void>[] = [];

async function runJobs(slot: number): Promise<void> {
  for (let round = 0; running; round += 1) {
    const scope = ['viewers', (slot + round * JOBS) % SCOPES];
    const progress = new Progresser({ scope, total: ITEMS, store, intervalMs: 200 });
    for (let item = 0; item < ITEMS && running; item += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200 + random() * 300));
      progress.tick();
    }
    await progress.complete();
  }
}

process.on('message', (command: ParentCommand) => {
  if (command.type !== 'stop') return;
  running = false;
  void Promise.all(jobs)
    .then(() => redis.quit())
    .then(() => process.exit(0));
});
for (let slot = 0; slot < JOBS; slot += 1) jobs.push(runJobs(slot));
process.send?.({ type: 'ready' });
