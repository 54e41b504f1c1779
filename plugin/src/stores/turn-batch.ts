/**
 * Reads the keys asked for in one turn together: the lookups of one synchronous pass
 * (`Promise.all(page.map(...))`) join one read, made in a microtask after the first of them.
 * The stores' typical-duration lookups use it: a page of 50 unfinished jobs of 50 names asks
 * for 50 at once.
 */
export class TurnBatch<V> {
  readonly #read: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>;
  #keys: Set<string> | null = null;
  #values: Promise<ReadonlyMap<string, V>> = Promise.resolve(new Map());

  constructor(read: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>) {
    this.#read = read;
  }

  /** The value this turn's read found for `key`; undefined when it found none. */
  async get(key: string): Promise<V | undefined> {
    if (this.#keys === null) {
      const keys = new Set<string>();
      this.#keys = keys;
      this.#values = Promise.resolve().then(() => {
        this.#keys = null;
        return this.#read([...keys]);
      });
    }
    this.#keys.add(key);
    return (await this.#values).get(key);
  }
}
