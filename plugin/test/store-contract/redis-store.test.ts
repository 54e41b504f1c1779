import { RedisStore } from '../../src/index.js';
import { connectRedis, uniquePrefix } from '../helpers.js';
import { describeStoreContract } from './describe-store-contract.js';

const redis = connectRedis();

describeStoreContract('RedisStore', async (options) => {
  const store = new RedisStore({ connection: redis, prefix: uniquePrefix('contract'), ...options });
  return {
    store,
    // As another program would write it: straight into the scope's hash, outside the indexes.
    writeMalformed: async (scope, id) => {
      await redis.hset(store.keys.scope(scope.join(':')), id, JSON.stringify({ id, count: -1 }));
    },
    writeRuby: async (scope, id, json) => {
      await redis.hset(store.keys.scope(scope.join(':')), id, json);
    },
  };
});
