import 'server-only';
import { type DemoJobData, TEMPLATES } from '@progressrus/demo/job-plan';
import { DEMO_PROGRESS } from '@progressrus/demo/progress-options';
import { ProgressQueue } from 'progressrus/bullmq';
import { env } from './env';
import { redis } from './redis';
import { store } from './store';

/** The demo's queue that the portal adds to; the demo's workers run what lands there. */
export const IMPORTS_QUEUE = 'imports';

/** The sizes a user can pick: rows, at the demo's import speed. */
export const IMPORT_SIZES = {
  small: { rows: 300, label: 'Small: 300 rows, about 8 seconds' },
  medium: { rows: 1500, label: 'Medium: 1,500 rows, about 40 seconds' },
  large: { rows: 6000, label: 'Large: 6,000 rows, about 2½ minutes' },
} as const;

export type ImportSize = keyof typeof IMPORT_SIZES;

/** Rows per second: the sizes' durations above are worked out from it. */
const ROWS_PER_SECOND = 40;

const cache = globalThis as typeof globalThis & {
  __progressrusPortalQueue?: ProgressQueue<DemoJobData>;
};

/**
 * A ProgressQueue with the demo workers' own progress options: each job's record is written
 * as `queued` before the job is added, so the user sees it at once, and the worker that takes
 * the job carries the same record on (same id, scope, name and total).
 */
function queue(): ProgressQueue<DemoJobData> {
  cache.__progressrusPortalQueue ??= new ProgressQueue<DemoJobData>(IMPORTS_QUEUE, {
    connection: redis(),
    prefix: env().bullPrefix,
    progress: {
      ...DEMO_PROGRESS,
      // A RedisStore publishes its writes: the live list shows the queued record at once.
      store: store(),
    },
  });
  return cache.__progressrusPortalQueue;
}

/**
 * Adds an import for a user to the demo's `imports` queue: a `csv-import` of the demo's job
 * plan, with the size picked. The job's name (the user's file name) becomes the record's name.
 */
export async function addImport(userId: number, name: string, size: ImportSize): Promise<string> {
  const planned = TEMPLATES.csvImport(userId, Math.random);
  const data: DemoJobData = {
    ...planned.data,
    items: IMPORT_SIZES[size].rows,
    ratePerSecond: ROWS_PER_SECOND,
  };
  const job = await queue().add(name, data, {
    // As the demo's producer: BullMQ keeps only the latest finished jobs.
    removeOnComplete: { count: 200 },
    removeOnFail: { count: 200 },
  });
  return job.id ?? '';
}
