import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  PostgresServerNotFoundError,
  startPostgresServer,
} from '../../src/testing/postgres-server.js';

describe('startPostgresServer', () => {
  it('says how to install PostgreSQL when its binaries are missing', async () => {
    const starting = startPostgresServer({ binDir: '/nonexistent/bin' });
    await expect(starting).rejects.toThrow(PostgresServerNotFoundError);
    await expect(starting).rejects.toThrow('apt-get install postgresql');
  });

  it('starts a private cluster on loopback and removes it on stop', async () => {
    const server = await startPostgresServer();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query(
      "SELECT current_setting('listen_addresses') AS listen, current_setting('port')::int AS port",
    );
    expect(rows[0]).toEqual({ listen: '127.0.0.1', port: server.port });
    await client.end();
    await Promise.all([server.stop(), server.stop()]);
    const again = new pg.Client({ connectionString: server.url });
    await expect(again.connect()).rejects.toThrow();
  });
});
