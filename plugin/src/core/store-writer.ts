import type { ProgressRecord } from './record.js';

/** What a writer needs: a `Progresser` (and every wrapper in front of a store) only writes. */
export interface StoreWriter {
  /** Writes one record (the whole record: repeating a write is harmless). */
  persist(record: ProgressRecord): Promise<void>;
  /**
   * Writes each record unless its scope already holds a record with its id, at once (no
   * batching delay). `ProgressQueue` writes its `queued` records with it while BullMQ adds the
   * jobs, so a worker's write that lands first is never overwritten. Optional: for a writer
   * without it, the queued records are written before the jobs are added.
   */
  persistNew?(records: readonly ProgressRecord[]): Promise<void>;
}
