import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from '../src/testing/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * One private PostgreSQL cluster for the whole test run (initdb in a temporary folder, a free
 * port, run as the `postgres` user when we are root); tests use `inject('postgresUrl')`.
 */
export default async function setup(project: TestProject) {
  const postgres = await startPostgresServer();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
