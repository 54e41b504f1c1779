import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Job } from 'bullmq';
import type { ProgresserOptions } from '../core/progresser-options.js';
import type { Progresser } from '../core/progresser.js';
import type { ProgressRecord } from '../core/record.js';
import type { StoreWriter } from '../stores/store.js';

/**
 * A sandboxed processor runs in a child process that BullMQ forks, where the worker's store and
 * lifecycle are out of reach. So the child gets a Progresser whose store relays its throttled
 * counts to the worker process, over BullMQ's own progress message, and the worker applies them
 * to the job's real Progresser. The lifecycle (completed, failed, retrying, ...) is written by
 * the worker from how the child's attempt ends, as for a processor in the same process.
 */

/** The field that carries the record's identity into the child, and counts back out of it. */
export const RELAY_FIELD = '__progressrus';

/** The child Progresser writes this much more often than the worker's, so relaying adds little delay. */
const RELAY_INTERVAL_DIVISOR = 4;

/** What the child needs to build a Progresser that names the same record. */
export type RelayIdentity = Pick<
  Required<ProgresserOptions>,
  'scope' | 'id' | 'name' | 'total' | 'intervalMs' | 'queue' | 'jobId' | 'attempt'
>;

interface RelayedCounts {
  readonly count: number;
  readonly errorCount: number;
  readonly total: number | null;
}

type RelayMessage = { readonly [RELAY_FIELD]: RelayedCounts };

/** The module URL BullMQ's child loads instead of the processor file: it loads that file and wraps it. */
export function sandboxChildUrl(processor: string): string {
  const self = fileURLToPath(import.meta.url);
  // `.ts` when the library runs from source (tests), `.js` from the build.
  const child = new URL(`./sandbox-child${extname(self)}`, import.meta.url);
  child.searchParams.set('processor', processorUrl(processor));
  return child.href;
}

/** The processor file as a file URL, with BullMQ's rule that a path without a known extension means `.js`. */
function processorUrl(processor: string): string {
  if (processor.startsWith('file:')) return processor;
  const known = ['.js', '.ts', '.flow', '.cjs', '.mjs'].includes(extname(processor));
  return pathToFileURL(resolve(known ? processor : `${processor}.js`)).href;
}

/**
 * The job as the sandbox sees it: its JSON for the child carries the record's identity, and a
 * relayed count updates `progress` instead of BullMQ's job progress. Everything else is the job.
 */
export function relayJob(job: Job, progress: Progresser, intervalMs: number): Job {
  const identity: RelayIdentity = {
    scope: progress.scope,
    id: progress.id,
    name: progress.name,
    total: progress.total,
    intervalMs: intervalMs / RELAY_INTERVAL_DIVISOR,
    queue: job.queueName,
    jobId: job.id ?? null,
    attempt: job.attemptsMade + 1,
  };
  return new Proxy(job, {
    get(target, key, receiver) {
      if (key === 'asJSONSandbox')
        return () => ({ ...target.asJSONSandbox(), [RELAY_FIELD]: identity });
      if (key === 'updateProgress') {
        return (value: unknown) => {
          if (!isRelayMessage(value)) return target.updateProgress(value as number);
          applyCounts(progress, value[RELAY_FIELD]);
          return Promise.resolve();
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

function applyCounts(progress: Progresser, counts: RelayedCounts): void {
  if (counts.total !== progress.total) progress.total = counts.total;
  if (counts.count > progress.count) progress.tick(counts.count - progress.count);
  if (counts.errorCount > progress.errorCount)
    progress.error(counts.errorCount - progress.errorCount);
}

function isRelayMessage(value: unknown): value is RelayMessage {
  return value !== null && typeof value === 'object' && RELAY_FIELD in value;
}

/**
 * The store of the Progresser inside a sandboxed processor: each write sends the counts to the
 * worker process. It only writes; records are read from the store in the worker process.
 */
export class RelayStore implements StoreWriter {
  readonly #job: { updateProgress(value: unknown): Promise<void> };

  constructor(job: { updateProgress(value: unknown): Promise<void> }) {
    this.#job = job;
  }

  persist(record: ProgressRecord): Promise<void> {
    const counts: RelayedCounts = {
      count: record.count,
      errorCount: record.errorCount,
      total: record.total,
    };
    return this.#job.updateProgress({ [RELAY_FIELD]: counts });
  }
}
