export {
  type PostgresQueryable,
  PostgresStore,
  type PostgresStoreOptions,
} from './postgres-store.js';
export type { PostgresTables } from './postgres-schema.js';
