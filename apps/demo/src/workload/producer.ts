import type { Job, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Store } from 'progressrus';
import { JobActions, ProgressQueue } from 'progressrus/bullmq';
import {
  type DemoJobData,
  initialPlan,
  nextJob,
  type PlannedJob,
  QUEUES,
  type QueueName,
} from './job-plan.js';
import { DEMO_PROGRESS } from './progress-options.js';

export interface ProducerOptions {
  /** Where the records are: the producer's users cancel some of their jobs through it. */
  readonly store: Store;
  /** Time between two jobs of the trickle. @default 4000 */
  readonly trickleMs?: number;
  readonly random: () => number;
}

/** BullMQ keeps only the latest finished jobs: the demo can run for hours. */
const JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 200 },
};

/**
 * Adds the demo's jobs: a first batch with every kind of job, then one more every few seconds.
 * Workers add child jobs through it too.
 * `close()` stops the trickle and closes the queues.
 */
export class Producer {
  readonly #queues: Map<QueueName, ProgressQueue<DemoJobData>>;
  readonly #actions: JobActions;
  readonly #random: () => number;
  readonly #trickleMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(connection: Redis, options: ProducerOptions) {
    this.#queues = new Map(
      QUEUES.map((name) => [
        name,
        new ProgressQueue<DemoJobData>(name, {
          connection,
          progress: { ...DEMO_PROGRESS, store: options.store },
        }),
      ]),
    );
    this.#actions = new JobActions({ store: options.store, connection });
    this.#random = options.random;
    this.#trickleMs = options.trickleMs ?? 4000;
  }

  /** Adds the first batch and starts the trickle. */
  async start(): Promise<number> {
    const plan = initialPlan(this.#random);
    for (const job of plan) await this.add(job);
    this.#schedule();
    return plan.length;
  }

  async add(job: PlannedJob): Promise<Job<DemoJobData>> {
    return this.#queue(job.queue).add(job.name, job.data, {
      ...JOB_OPTIONS,
      attempts: job.attempts,
      backoff: { type: 'fixed', delay: job.backoffMs },
      // Billing runs first when its queue is busy: its waiting jobs read `prioritized`.
      ...(job.queue === 'billing' ? { priority: 1 } : {}),
    });
  }

  /** Adds a child of a running job, in its queue; BullMQ runs the parent again once all are done. */
  async addChild(parent: Job<DemoJobData>, name: string, data: DemoJobData): Promise<void> {
    if (parent.id === undefined) throw new Error('A parent job must have an id');
    await this.#queue(parent.queueName as QueueName).add(name, data, {
      ...JOB_OPTIONS,
      parent: { id: parent.id, queue: parent.queueQualifiedName },
    });
  }

  #queue(name: QueueName): ProgressQueue<DemoJobData> {
    const queue = this.#queues.get(name);
    if (!queue) throw new Error(`Unknown demo queue ${JSON.stringify(name)}`);
    return queue;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.add(nextJob(this.#random))
        .then((job) => this.#maybeCancel(job))
        .catch((error: Error) => console.error(`demo producer: ${error.message}`))
        .finally(() => this.#schedule());
    }, this.#trickleMs);
  }

  /** One user in four thinks better of the job they just started and cancels it a little later. */
  async #maybeCancel(job: Job<DemoJobData>): Promise<void> {
    if (this.#random() >= 0.25) return;
    await new Promise((resolve) => setTimeout(resolve, this.#trickleMs / 2));
    if (this.#closed) return;
    await this.#actions.act('cancel', ['user', job.data.user], `${job.queueName}:${job.id}`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#actions.close();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }
}
