// What the README examples leave to the reader: the app's own work, data and objects. Declared
// here, once, so each example stays short; everything else an example uses it must import.
// Examples marked `run` may use none of these: they are executed.
import type { ClusterNode, Redis } from 'ioredis';
import type { Store } from 'progressrus';
import type { ProgressHandler } from 'progressrus/http';

declare global {
  /** The app's work on one item. */
  function importRow(row: unknown): Promise<void>;
  /** The items of a job. */
  const rows: readonly unknown[];
  /** An ioredis connection the app already has. */
  const connection: Redis;
  /** The Redis Cluster nodes of the app. */
  const nodes: ClusterNode[];
  /** A store the app already made. */
  const store: Store;
  const redisStore: Store;
  const postgresStore: Store;
  /** The signed-in user, and how the app finds it. */
  const user: { readonly id: number };
  function currentUser(
    request: Request,
  ): Promise<{ readonly id: number; readonly isAdmin: boolean } | null>;
  /** The handler made in the HTTP example. */
  const progressHandler: ProgressHandler;
  /** A BullMQ processor. */
  const processor: import('progressrus/bullmq').ProgressProcessor;
}
