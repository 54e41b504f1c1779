import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from 'progressrus/testing';
import { ensureBuild, startNextServer } from './next-server';

declare module 'vitest' {
  export interface ProvidedContext {
    admin: {
      readonly url: string;
      readonly redisUrl: string;
      readonly user: string;
      readonly password: string;
      readonly prefix: string;
      readonly queue: string;
      /** Linked from `user:N` scopes; nothing listens there in these tests. */
      readonly portalUrl: string;
    };
  }
}

/**
 * One private redis-server and one production build of the admin (`next start`) for the run;
 * the tests start the BullMQ worker and the browser themselves.
 */
export default async function setup(project: TestProject) {
  const redis = await startRedisServer();
  try {
    await ensureBuild();
    const admin = {
      redisUrl: redis.url,
      user: 'admin',
      password: randomBytes(12).toString('base64url'),
      prefix: `e2e-${randomBytes(4).toString('hex')}`,
      queue: 'e2e-imports',
      portalUrl: 'http://127.0.0.1:9/portal',
    };
    const server = await startNextServer({
      NODE_ENV: 'production',
      REDIS_URL: admin.redisUrl,
      PROGRESSRUS_PREFIX: admin.prefix,
      PROGRESSRUS_QUEUES: `${admin.queue},e2e-other,e2e-actions`,
      ADMIN_USER: admin.user,
      ADMIN_PASSWORD: admin.password,
      PORTAL_URL: admin.portalUrl,
    });
    project.provide('admin', { ...admin, url: server.url });
    return async () => {
      await server.stop();
      await redis.stop();
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}
