import pg from 'pg';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import {
  type MalformedRecordError,
  Progresser,
  type ProgressRecord,
  ProgressrusArgumentError,
  RedisStore,
  StoreError,
} from '../../src/index.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { postgresQueries } from '../../src/stores/postgres/postgres-queries.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { describeStoreContract } from './describe-store-contract.js';
import { makePostgresStore, postgresFixture, uniqueTable } from './postgres-fixture.js';

const pool = new pg.Pool({ connectionString: inject('postgresUrl'), max: 4 });
afterAll(() => pool.end());

describeStoreContract('PostgresStore on a PostgreSQL server', makePostgresStore(pool));

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function record(overrides: Partial<ProgressRecord> = {}): ProgressRecord {
  return {
    id: 'job',
    name: 'job',
    scope: ['user', '1'],
    startedAt: new Date(T0),
    completedAt: null,
    failedAt: null,
    expiresAt: null,
    count: 1,
    total: 10,
    params: {},
    errorCount: 0,
    updatedAt: new Date(T0),
    ratePerSecond: null,
    intervalMs: 2000,
    state: null,
    errorMessage: null,
    queue: null,
    jobId: null,
    attempt: null,
    actions: [],
    history: [],
    ...overrides,
  };
}

describe('PostgresStore', () => {
  describe('with a RedisStore in one Progresser', () => {
    const redis = connectRedis();

    it('writes each store and reads from the store asked', async () => {
      const { store: postgres, close } = await postgresFixture(pool);
      const redisStore = new RedisStore({ connection: redis, prefix: uniquePrefix('multi') });
      const progress = new Progresser({
        scope: ['user', 7],
        id: 'import',
        total: 4,
        stores: [redisStore, postgres],
      });
      progress.tick(4);
      await progress.complete();
      for (const store of [redisStore, postgres]) {
        expect(await store.find(['user', 7], 'import')).toMatchObject({
          status: 'completed',
          count: 4,
        });
        expect((await store.scopes()).items.map((item) => item.key)).toEqual(['user:7']);
      }
      await postgres.delete(['user', 7]);
      expect(await postgres.find(['user', 7], 'import')).toBeNull();
      expect(await redisStore.find(['user', 7], 'import')).not.toBeNull();
      await close();
    });

    it('keeps writing Redis while PostgreSQL fails, and writes PostgreSQL once it works', async () => {
      const postgres = new PostgresStore({ pool, table: uniqueTable('late') });
      const redisStore = new RedisStore({ connection: redis, prefix: uniquePrefix('multi') });
      const errors: Error[] = [];
      const progress = new Progresser({
        scope: ['user', 8],
        id: 'report',
        stores: [postgres, redisStore],
        onError: (error) => errors.push(error),
        finalWriteTimeoutMs: 200,
      });
      progress.tick(2);
      await progress.complete();
      expect(await redisStore.find(['user', 8], 'report')).toMatchObject({
        status: 'completed',
        count: 2,
      });
      expect(errors[0]).toBeInstanceOf(StoreError);
      expect(errors[0]?.cause).toMatchObject({
        message: expect.stringContaining('store.migrate()'),
      });

      await postgres.migrate();
      await vi.waitFor(async () => {
        expect(await postgres.find(['user', 8], 'report')).toMatchObject({
          status: 'completed',
          count: 2,
        });
      });
      await pool.query(`DROP TABLE ${postgres.tables.records}, ${postgres.tables.scopes}`);
    });
  });

  describe('migrate()', () => {
    it('creates nothing until it is called, and says so when a table is missing', async () => {
      const store = new PostgresStore({ pool, table: uniqueTable('missing') });
      await expect(store.scope(['user', 1])).rejects.toThrow(StoreError);
      await expect(store.scopes()).rejects.toThrow(
        /does not exist: run `await store\.migrate\(\)`/,
      );
      const { rows } = await pool.query('SELECT to_regclass($1) AS found', [store.tables.records]);
      expect(rows[0].found).toBeNull();
    });

    it('brings a table of an older version up to date, keeping its rows', async () => {
      const table = uniqueTable('old');
      await pool.query(`CREATE TABLE "${table}" (scope_key text COLLATE "C", id text COLLATE "C", name text,
        count bigint NOT NULL DEFAULT 0, PRIMARY KEY (scope_key, id))`);
      await pool.query(
        `INSERT INTO "${table}" (scope_key, id, name, count) VALUES ('user:1', 'old', 'Old', 5)`,
      );
      const store = new PostgresStore({ pool, table });
      await store.migrate();
      await store.migrate();
      expect(await store.find(['user', 1], 'old')).toMatchObject({
        name: 'Old',
        count: 5,
        params: {},
        total: null,
      });
      await store.persist(record({ params: { nested: [1, { a: 'b' }] } }));
      expect(await store.find(['user', 1], 'job')).toMatchObject({
        params: { nested: [1, { a: 'b' }] },
      });
      await pool.query(`DROP TABLE "${table}", "${table}_scopes"`);
    });

    it('replaces the plain indexes of an older version by the covering ones', async () => {
      const { store, close } = await postgresFixture(pool);
      const { records, stem } = store.tables;
      const names = async () =>
        (await pool.query('SELECT indexname FROM pg_indexes WHERE tablename = $1', [stem])).rows.map(
          (row) => row.indexname as string,
        );
      try {
        await store.persist(record());
        // The indexes as the previous version made them.
        await pool.query(`DROP INDEX "${stem}_updatedat_cover_idx", "${stem}_stall_cover_idx", "${stem}_search_cover_idx"`);
        await pool.query(`CREATE INDEX "${stem}_updatedat_idx" ON ${records} (scope_key, sort_updated, id)`);
        await pool.query(`CREATE INDEX "${stem}_stall_idx" ON ${records} (scope_key, stalled_at_ms) WHERE stalled_at_ms IS NOT NULL`);
        await pool.query(`CREATE INDEX "${stem}_search_idx" ON ${records} (scope_key, name_search, id)`);
        await store.migrate();
        const after = await names();
        for (const name of ['updatedat_cover', 'stall_cover', 'search_cover']) expect(after).toContain(`${stem}_${name}_idx`);
        for (const name of ['updatedat', 'stall', 'search']) expect(after).not.toContain(`${stem}_${name}_idx`);
        expect((await store.jobs(['user', 1], { statuses: ['running'] })).items.map((tick) => tick.id)).toEqual([]);
        expect((await store.jobs(['user', 1], { name: 'jo' })).items.map((tick) => tick.id)).toEqual(['job']);
      } finally {
        await close();
      }
    });

    it('runs safely when several processes migrate at once', async () => {
      const table = uniqueTable('race');
      const stores = Array.from({ length: 4 }, () => new PostgresStore({ pool, table }));
      await Promise.all(stores.map((store) => store.migrate()));
      await stores[0]?.persist(record());
      expect(await stores[3]?.find(['user', 1], 'job')).not.toBeNull();
      await pool.query(`DROP TABLE "${table}", "${table}_scopes"`);
    });

    it('uses a schema-qualified table', async () => {
      const schema = uniqueTable('schema');
      await pool.query(`CREATE SCHEMA "${schema}"`);
      const store = new PostgresStore({ pool, table: `${schema}.progress` });
      await store.migrate();
      await store.persist(record());
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".progress`);
      expect(rows[0].n).toBe(1);
      expect((await store.scopes()).items.map((item) => item.key)).toEqual(['user:1']);
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    });
  });

  it('looks up the typical durations asked in one turn with one statement', async () => {
    const statements: string[] = [];
    const recording = {
      query: (text: string, params?: unknown[]) => {
        statements.push(text);
        return pool.query(text, params);
      },
    };
    const { store, close } = await postgresFixture(recording as unknown as pg.Pool);
    try {
      const completed = (id: string, name: string, seconds: number) =>
        record({ id, name, queue: 'q', count: 10, completedAt: new Date(T0 + seconds * 1000), updatedAt: new Date(T0 + seconds * 1000) });
      for (const [index, name] of ['a', 'b', 'b'].entries()) await store.persist(completed(`job-${index}`, name, 10 * (index + 1)));
      const one = async (name: string) => (await store.typicalDuration(name, 'q'))?.medianMs ?? null;
      const each = [await one('a'), await one('b'), await one('c')];
      expect(each).toEqual([10_000, 25_000, null]);
      statements.length = 0;
      const batched = await Promise.all(['a', 'b', 'c', 'a'].map(one));
      expect(batched).toEqual([...each, 10_000]);
      expect(statements).toHaveLength(1);
      // The next turn asks again.
      expect(await one('b')).toBe(25_000);
      expect(statements).toHaveLength(2);
    } finally {
      await close();
    }
  });

  it('validates its options with the one message format', () => {
    expect(() => new PostgresStore({ pool, table: 'x; DROP TABLE y' })).toThrow(
      ProgressrusArgumentError,
    );
    expect(() => new PostgresStore({ pool, table: 'a.b.c' })).toThrow(
      'Expected `table` to be a table name',
    );
    expect(() => new PostgresStore({ pool: {} as pg.Pool })).toThrow(
      'Expected `pool` to be a pg Pool or Client',
    );
    expect(() => new PostgresStore({ pool, sweepIntervalMs: -1 })).toThrow(
      ProgressrusArgumentError,
    );
  });

  it('keeps records in typed columns that plain SQL can query and join', async () => {
    const { store, close } = await postgresFixture(pool);
    const progress = new Progresser({
      scope: ['user', 42],
      id: 'csv',
      total: 3,
      params: { file: 'a.csv' },
      store,
    });
    progress.tick(3);
    await progress.complete();
    const { rows } = await pool.query(
      `SELECT scope[2]::int AS user_id, count, total, params->>'file' AS file, completed_at, pg_typeof(params)::text AS params_type
       FROM ${store.tables.records} WHERE scope_key = 'user:42'`,
    );
    expect(rows).toEqual([
      {
        user_id: 42,
        count: '3',
        total: '3',
        file: 'a.csv',
        completed_at: expect.any(Date),
        params_type: 'jsonb',
      },
    ]);
    await close();
  });

  it('deletes expired records and their emptied scopes with sweep(), and on writes', async () => {
    let nowMs = T0;
    const { store, close } = await postgresFixture(pool, { now: () => nowMs, sweepIntervalMs: 0 });
    await store.persist(record({ id: 'a', expiresAt: new Date(T0 + 1000) }));
    await store.persist(record({ id: 'b', scope: ['user', '2'], expiresAt: new Date(T0 + 1000) }));
    await store.persist(record({ id: 'c', scope: ['user', '2'], expiresAt: new Date(T0 + 5000) }));
    const rowCount = async () =>
      (await pool.query(`SELECT count(*)::int AS n FROM ${store.tables.records}`)).rows[0].n;

    nowMs = T0 + 1000;
    expect(await store.sweep()).toBe(2);
    expect(await rowCount()).toBe(1);
    expect((await store.scopes()).items.map((item) => item.key)).toEqual(['user:2']);
    expect(await store.sweep()).toBe(0);

    nowMs = T0 + 5000;
    await store.persist(record({ id: 'd', scope: ['user', '3'] }));
    await vi.waitFor(async () => expect(await rowCount()).toBe(1));
    expect((await store.scopes()).items.map((item) => item.key)).toEqual(['user:3']);
    await expect(store.sweep(0)).rejects.toThrow(ProgressrusArgumentError);
    await close();
  });

  it('serves scope(), find(), the scope pages, the prefix filter and the sweep from indexes', async () => {
    const { store, close } = await postgresFixture(pool);
    await Promise.all(
      Array.from({ length: 5000 }, (_, index) =>
        store.persist(
          record({
            id: `job-${index}`,
            scope: ['user', String(index)],
            updatedAt: new Date(T0 + index * 1000),
            expiresAt: new Date(T0 + 86_400_000 + index),
          }),
        ),
      ),
    );
    await pool.query(`ANALYZE ${store.tables.records}; ANALYZE ${store.tables.scopes}`);
    expect((await store.scopes({ limit: 1000 })).items).toHaveLength(1000);

    const sql = postgresQueries(store.tables);
    const plan = async (text: string, params: unknown[]) =>
      (await pool.query(`EXPLAIN (COSTS OFF) ${text}`, params)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    const { stem } = store.tables;
    const now = new Date(T0).toISOString();
    // Any index leading with scope_key serves a whole scope; the planner picks one.
    expect(await plan(sql.selectScope, ['user:12', now])).toMatch(
      new RegExp(`Index (Only )?Scan using ${stem}_\\w+ on`),
    );
    expect(await plan(sql.selectOne, ['user:12', now, 'job-12'])).toMatch(
      new RegExp(`Index (Only )?Scan using ${stem}_\\w+ on`),
    );
    expect(await plan(sql.scopesPage({ prefix: false, cursor: false }), [51])).toMatch(
      new RegExp(`Index (Only )?Scan Backward using ${stem}_scopes_activity_idx`),
    );
    expect(
      await plan(sql.scopesPage({ prefix: false, cursor: true }), [
        51,
        new Date(T0 + 2_000_000).toISOString(),
        'user:2000',
      ]),
    ).toContain(`${stem}_scopes_activity_idx`);
    expect(
      await plan(sql.scopesPage({ prefix: true, cursor: false }), [51, 'user:123%']),
    ).toContain("Index Cond: ((key >= 'user:123'::text) AND (key < 'user:124'::text))");
    expect(await plan(sql.sweep, [new Date(T0 + 86_400_100).toISOString(), 500])).toContain(
      `${stem}_expires_at_idx`,
    );
    await close();
  });

  it("reads the same times whatever the session's TimeZone, and times with microseconds", async () => {
    const kolkata = new pg.Pool({
      connectionString: inject('postgresUrl'),
      options: '-c TimeZone=Asia/Kolkata',
      max: 1,
    });
    const { store, close } = await postgresFixture(kolkata);
    await store.persist(record({ completedAt: new Date(T0 + 1234) }));
    expect(await store.find(['user', 1], 'job')).toMatchObject({
      startedAt: new Date(T0),
      completedAt: new Date(T0 + 1234),
    });
    await kolkata.query(
      `UPDATE ${store.tables.records} SET started_at = '2026-03-01 12:00:00.123456+00' WHERE id = 'job'`,
    );
    expect((await store.find(['user', 1], 'job'))?.startedAt).toEqual(new Date(T0 + 123));
    await close();
    await kolkata.end();
  });

  it('reports rows with an unknown state, a NaN rate or an infinite time, and returns the rest', async () => {
    const errors: Error[] = [];
    const { store, close } = await postgresFixture(pool, {
      onMalformed: (error) => errors.push(error),
    });
    await store.persist(record({ id: 'good' }));
    for (const [id, set] of [
      ['state', "state = 'exploded'"],
      ['rate', "rate = 'NaN'"],
      ['time', "started_at = 'infinity'"],
      ['total', 'total = -3'],
    ]) {
      await store.persist(record({ id: `bad-${id}` }));
      await pool.query(`UPDATE ${store.tables.records} SET ${set} WHERE id = $1`, [`bad-${id}`]);
    }
    expect((await store.scope(['user', 1])).map((tick) => tick.id)).toEqual(['good']);
    expect(
      errors
        .map((error) => [(error as MalformedRecordError).id, error.message.split(': ')[1]])
        .sort(),
    ).toEqual([
      ['bad-rate', '`rate` must be a finite number ≥ 0 or null'],
      ['bad-state', '`state` must be one of queued, delayed, prioritized, retrying, waiting-children, cancelled'],
      ['bad-time', '`started_at` must be a time or null'],
      ['bad-total', '`total` must be a finite number ≥ 0 or null'],
    ]);
    await close();
  });

  it('keeps the latest state when writes of one record come in successive turns', async () => {
    const { store, close } = await postgresFixture(pool);
    const writes: Promise<void>[] = [];
    for (let count = 1; count <= 30; count += 1) {
      writes.push(store.persist(record({ count })));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    expect((await store.find(['user', 1], 'job'))?.count).toBe(30);
    await close();
  });

  it('rejects a cursor whose time PostgreSQL cannot hold', async () => {
    const { store, close } = await postgresFixture(pool);
    const cursor = Buffer.from(JSON.stringify([1e20, 'user:1'])).toString('base64url');
    await expect(store.scopes({ cursor })).rejects.toThrow(ProgressrusArgumentError);
    await close();
  });

  describe('fromUrl()', () => {
    it('connects from a URL, owns its pool and closes it once', async () => {
      const store = await PostgresStore.fromUrl(inject('postgresUrl'), {
        table: uniqueTable('url'),
      });
      await store.migrate();
      await store.persist(record());
      expect(await store.find(['user', 1], 'job')).toMatchObject({ count: 1 });
      await pool.query(`DROP TABLE ${store.tables.records}, ${store.tables.scopes}`);
      await Promise.all([store.close(), store.close()]);
      await expect(store.persist(record())).rejects.toThrow(StoreError);
      await expect(store.scopes()).rejects.toThrow();
    });

    it('rejects anything but a postgres:// URL', async () => {
      await expect(PostgresStore.fromUrl('redis://localhost:6379')).rejects.toThrow(
        ProgressrusArgumentError,
      );
    });
  });
});
