import { PostgresStore } from 'progressrus/postgres';
import { type PostgresServer, startPostgresServer } from 'progressrus/testing';
import type { BenchContext } from './lib/context.js';
import { timeReads } from './lib/read-timings.js';
import type { Benchmark, BenchRow } from './lib/result.js';
import { readRows } from './reads.js';

/**
 * Issue 9: the same reads as `reads`, on PostgresStore: a private PostgreSQL server like the
 * test setup's, or PGlite (in process) when no server binaries are installed.
 */
export const readsPostgresBenchmark: Benchmark = {
  name: 'reads-postgres',
  description: 'PostgresStore: scope() of 10,000 records, pages of scopes among 100,000',
  async run(context: BenchContext): Promise<BenchRow[]> {
    let server: PostgresServer | null = null;
    try {
      server = await startPostgresServer();
    } catch (error) {
      context.log(
        `no PostgreSQL server (${(error as Error).message.split('\n')[0]}); using PGlite`,
      );
    }
    if (server) {
      const store = await PostgresStore.fromUrl(server.url);
      try {
        await store.migrate();
        return readRows(
          'PostgresStore (server)',
          'postgres',
          await timeReads(context, 'PostgresStore', store),
        );
      } finally {
        await store.close();
        await server.stop();
      }
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite();
    try {
      const store = new PostgresStore({ pool: db });
      await store.migrate();
      return readRows(
        'PostgresStore (PGlite)',
        'pglite',
        await timeReads(context, 'PGlite', store),
      );
    } finally {
      await db.close();
    }
  },
};
