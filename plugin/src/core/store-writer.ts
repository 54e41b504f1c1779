import type { ProgressRecord } from './record.js';

/** What a writer needs: a `Progresser` (and every wrapper in front of a store) only writes. */
export interface StoreWriter {
  /** Writes one record (the whole record: repeating a write is harmless). */
  persist(record: ProgressRecord): Promise<void>;
}
