import { MemoryStore } from '../../src/index.js';
import { describeStoreContract } from './describe-store-contract.js';

describeStoreContract('MemoryStore', async (options) => {
  const store = new MemoryStore(options);
  return {
    store,
    writeMalformed: (scope, id) => store.persistRaw(scope, id, JSON.stringify({ id, count: -1 })),
    writeRuby: (scope, id, json) => store.persistRaw(scope, id, json),
  };
});
