import { MemoryStore } from '../../src/index.js';
import { persistRawRecord } from '../../src/stores/memory/memory-store.js';
import { describeStoreContract } from './describe-store-contract.js';

describeStoreContract('MemoryStore', async (options) => {
  const store = new MemoryStore(options);
  return {
    store,
    writeMalformed: (scope, id) => persistRawRecord(store, scope, id, JSON.stringify({ id, count: -1 })),
    writeRuby: (scope, id, json) => persistRawRecord(store, scope, id, json),
  };
});
