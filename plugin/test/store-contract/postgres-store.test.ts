import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { describeStoreContract } from './describe-store-contract.js';
import { makePostgresStore } from './postgres-fixture.js';

const pool = new pg.Pool({ connectionString: inject('postgresUrl'), max: 4 });
afterAll(() => pool.end());

describeStoreContract('PostgresStore on a PostgreSQL server', makePostgresStore(pool));
