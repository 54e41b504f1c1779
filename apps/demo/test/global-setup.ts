import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from 'progressrus/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One private redis-server for the run; tests use `inject('redisUrl')`. */
export default async function setup(project: TestProject) {
  const redis = await startRedisServer();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
