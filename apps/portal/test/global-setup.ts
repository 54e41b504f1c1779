import { randomBytes } from 'node:crypto';
import { startRedisServer } from 'progressrus/testing';
import type { TestProject } from 'vitest/node';
import { ensureBuild, startNextServer } from '../../admin/test/next-server';
import { PORTAL_APP } from './portal-app';

declare module 'vitest' {
  export interface ProvidedContext {
    portal: {
      readonly url: string;
      readonly redisUrl: string;
      /** The progress tokens' lifetime: short, so that the test sees several renewals. */
      readonly tokenTtlMs: number;
      /** The server's PORTAL_SECRET: the tests mint tokens as the portal does. */
      readonly secret: string;
    };
  }
}

const TOKEN_TTL_MS = 4000;

/**
 * One private redis-server and one production build of the portal (`next start`) for the run;
 * the tests start the demo's workers and the browser themselves.
 */
export default async function setup(project: TestProject) {
  const redis = await startRedisServer();
  try {
    await ensureBuild(PORTAL_APP);
    const secret = randomBytes(32).toString('base64url');
    const server = await startNextServer(
      {
        NODE_ENV: 'production',
        REDIS_URL: redis.url,
        PORTAL_SECRET: secret,
        PORTAL_TOKEN_TTL_MS: String(TOKEN_TTL_MS),
      },
      PORTAL_APP,
    );
    project.provide('portal', {
      url: server.url,
      redisUrl: redis.url,
      tokenTtlMs: TOKEN_TTL_MS,
      secret,
    });
    return async () => {
      await server.stop();
      await redis.stop();
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}
