/** An SSE event id, `<ms>-<seq>`: ordered by ms, then by a counter that never repeats in a process. */
export interface EventId {
  readonly ms: number;
  readonly seq: number;
}

export function formatEventId(id: EventId): string {
  return `${id.ms}-${id.seq}`;
}

export function parseEventId(text: string): EventId | null {
  const match = /^([0-9]{1,15})-([0-9]{1,15})$/.exec(text);
  return match ? { ms: Number(match[1]), seq: Number(match[2]) } : null;
}

export function compareEventIds(a: EventId, b: EventId): number {
  return a.ms - b.ms || a.seq - b.seq;
}

interface Entry {
  readonly id: EventId;
  readonly scope: string;
  readonly recordId: string;
}

/**
 * The last `capacity` changes (ids only, never data), so a viewer that reconnects with
 * Last-Event-ID gets what changed while it was away instead of a whole snapshot. Replay is
 * exact only for ids after `#completeSince`: before it, changes were evicted or happened
 * while this process was not listening.
 */
export class ReplayLog {
  readonly #capacity: number;
  readonly #now: () => number;
  #entries: Entry[] = [];
  #head = 0;
  #last: EventId;
  #completeSince: EventId | null = null;

  constructor(capacity: number, now: () => number) {
    this.#capacity = capacity;
    this.#now = now;
    this.#last = { ms: now(), seq: 0 };
  }

  /** Marks the moment changes start flowing: every later change is logged. */
  start(): void {
    this.#completeSince ??= this.next();
  }

  /** Forgets everything: changes may have been missed, so no earlier id can be replayed exactly. */
  reset(): void {
    this.#entries = [];
    this.#head = 0;
    this.#completeSince = this.next();
  }

  /** A fresh id, later than every id before it (the clock may step back; ids do not). */
  next(): EventId {
    this.#last = { ms: Math.max(this.#now(), this.#last.ms), seq: this.#last.seq + 1 };
    return this.#last;
  }

  /** The latest id handed out: a snapshot taken now is current up to it. */
  current(): EventId {
    return this.#last;
  }

  record(scope: string, recordId: string): EventId {
    const id = this.next();
    this.#entries.push({ id, scope, recordId });
    if (this.#entries.length - this.#head > this.#capacity) {
      this.#completeSince = (this.#entries[this.#head] as Entry).id;
      this.#head += 1;
      // Compacts now and then instead of shifting on every record.
      if (this.#head >= this.#capacity) {
        this.#entries = this.#entries.slice(this.#head);
        this.#head = 0;
      }
    }
    return id;
  }

  /**
   * The records of a scope (or the one record) changed after `after`, each with the id of its
   * latest change, oldest first; `null` when the log cannot tell (too old, or another process's id).
   */
  since(after: EventId, scope: string, recordId: string | null): [string, EventId][] | null {
    if (this.#completeSince === null || compareEventIds(after, this.#completeSince) < 0)
      return null;
    if (compareEventIds(after, this.#last) > 0) return null;
    const latest = new Map<string, EventId>();
    for (let index = this.#head; index < this.#entries.length; index += 1) {
      const entry = this.#entries[index] as Entry;
      if (entry.scope !== scope || (recordId !== null && entry.recordId !== recordId)) continue;
      if (compareEventIds(entry.id, after) > 0) {
        latest.delete(entry.recordId);
        latest.set(entry.recordId, entry.id);
      }
    }
    return [...latest];
  }
}
