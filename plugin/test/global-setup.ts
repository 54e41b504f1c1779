import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../src/testing/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One private redis-server for the whole test run; tests use `inject('redisUrl')`. */
export default async function setup(project: TestProject) {
  const redis = await startRedisServer();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
