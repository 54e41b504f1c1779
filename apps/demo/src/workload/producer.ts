import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type DemoJobData,
  initialPlan,
  nextJob,
  type PlannedJob,
  QUEUES,
  type QueueName,
} from './job-plan.js';

export interface ProducerOptions {
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
  readonly #queues: Map<QueueName, Queue<DemoJobData>>;
  readonly #random: () => number;
  readonly #trickleMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(connection: Redis, options: ProducerOptions) {
    this.#queues = new Map(
      QUEUES.map((name) => [name, new Queue<DemoJobData>(name, { connection })]),
    );
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

  async add(job: PlannedJob): Promise<void> {
    await this.#queue(job.queue).add(job.name, job.data, {
      ...JOB_OPTIONS,
      attempts: job.attempts,
      backoff: { type: 'fixed', delay: job.backoffMs },
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

  #queue(name: QueueName): Queue<DemoJobData> {
    const queue = this.#queues.get(name);
    if (!queue) throw new Error(`Unknown demo queue ${JSON.stringify(name)}`);
    return queue;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.add(nextJob(this.#random))
        .catch((error: Error) => console.error(`demo producer: ${error.message}`))
        .finally(() => this.#schedule());
    }, this.#trickleMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }
}
