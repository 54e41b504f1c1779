import {
  type PostgresQueryable,
  PostgresStore,
  type PostgresStoreOptions,
} from '../../src/stores/postgres/index.js';
import type { MakeStore, StoreUnderTest } from './describe-store-contract.js';

let counter = 0;
/** A table name no other test uses, so test files can share one database. */
export function uniqueTable(name: string): string {
  counter += 1;
  return `t_${name}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A migrated PostgresStore on its own table, with a back door to write a malformed row and a close that drops the tables. */
export async function postgresFixture(
  pool: PostgresQueryable,
  options: Omit<PostgresStoreOptions, 'pool'> = {},
): Promise<StoreUnderTest & { readonly store: PostgresStore; close(): Promise<void> }> {
  const store = new PostgresStore({ pool, table: uniqueTable('store'), ...options });
  await store.migrate();
  const { records, scopes } = store.tables;
  return {
    store,
    // As another program would write it: a row with a negative count, no scope index row.
    writeMalformed: async (scope, id) => {
      await pool.query(
        `INSERT INTO ${records} (scope_key, id, scope, name, count) VALUES ($1, $2, string_to_array($1, ':'), $2, -1)`,
        [scope.join(':'), id],
      );
    },
    close: async () => {
      await store.close();
      await pool.query(`DROP TABLE ${records}, ${scopes}`);
    },
  };
}

export function makePostgresStore(pool: PostgresQueryable): MakeStore {
  return (options) => postgresFixture(pool, options);
}
