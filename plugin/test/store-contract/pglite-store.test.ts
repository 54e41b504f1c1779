import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { describeStoreContract } from './describe-store-contract.js';
import { makePostgresStore } from './postgres-fixture.js';

// PostgreSQL in WebAssembly, in this process: the embedded database, passed to the store as is.
const db = new PGlite();
// Starting the WebAssembly module takes seconds on a busy machine: a hook, not the first test, waits for it.
beforeAll(() => db.waitReady, 120_000);
afterAll(() => db.close());

describeStoreContract('PostgresStore on PGlite', makePostgresStore(db));
