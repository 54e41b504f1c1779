import pg from 'pg';
import { LocalChangeFeed } from 'progressrus/http';
import { PostgresStore } from 'progressrus/postgres';
import { timeAdminScopePage } from './lib/admin-first-byte.js';
import { BIG_SCOPE, SMALL_SCOPE, timePages } from './lib/page-timings.js';
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
  description:
    'PostgresStore: scope() of 10,000 records, pages of scopes among 100,000; GET /jobs, GET /scopes and the SSE snapshot of a 1,000,000-job scope',
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
      const pool = new pg.Pool({ connectionString: server.url });
      const store = new PostgresStore({ pool });
      try {
        await store.migrate();
        const rows = readRows(
          'PostgresStore (server)',
          'postgres',
          await timeReads(context, 'PostgresStore', store),
        );
        const changes = new LocalChangeFeed();
        // After a bulk load autovacuum vacuums the table (PostgreSQL 13+ counts inserts too),
        // which sets the visibility map that index-only scans (the gathers) rely on.
        const analyze = () => pool.query('VACUUM ANALYZE');
        const pages = await timePages(context, 'PostgresStore (server)', 'postgres', store, changes, analyze);
        const admin = await timeAdminScopePage({
          label: 'PostgresStore (server)',
          key: 'postgres',
          env: { REDIS_URL: await context.redisUrl(), PROGRESSRUS_STORE: 'postgres', DATABASE_URL: server.url },
          scopes: [
            { key: 'pages:small', jobs: SMALL_SCOPE },
            { key: 'pages:big', jobs: BIG_SCOPE },
          ],
          log: (message) => context.log(message),
        });
        return [...rows, ...pages, ...admin];
      } finally {
        await store.close();
        await pool.end();
        await server.stop();
      }
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite();
    try {
      const store = new PostgresStore({ pool: db });
      await store.migrate();
      const rows = readRows('PostgresStore (PGlite)', 'pglite', await timeReads(context, 'PGlite', store));
      const changes = new LocalChangeFeed();
      const analyze = () => db.query('VACUUM ANALYZE');
      return [
        ...rows,
        ...(await timePages(context, 'PostgresStore (PGlite)', 'pglite', store, changes, analyze)),
      ];
    } finally {
      await db.close();
    }
  },
};
