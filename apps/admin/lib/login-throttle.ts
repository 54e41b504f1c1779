/** Options of a `LoginThrottle`; every field has a default. */
export interface LoginThrottleOptions {
  /** Failed sign-ins from one address that block it. @default 10 */
  readonly maxFailures?: number;
  /** The window the failures are counted in, and how long a block lasts from the first. @default 900_000 (15 min) */
  readonly windowMs?: number;
  /** Addresses remembered at most; the oldest entry is forgotten first. @default 10_000 */
  readonly maxAddresses?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

interface Failures {
  readonly firstAtMs: number;
  count: number;
}

/**
 * Counts failed sign-ins per client address. After `maxFailures` within `windowMs`, the address
 * is blocked until the window that began with its first failure ends; a success clears its
 * count. A blocked address gets a 429 before its password is even compared, so guessing
 * continues at no more than `maxFailures` per window. Memory is bounded: at most `maxAddresses`
 * entries (about 100 bytes each), the oldest dropped first, so a flood of addresses costs
 * memory no more than a few MB and only forgets the oldest counts.
 *
 * @example
 * const throttle = new LoginThrottle({ maxFailures: 10, windowMs: 15 * 60_000 });
 * if (throttle.retryAfterMs(address) > 0) return tooManyRequests();
 * if (!passwordOk) throttle.fail(address); else throttle.succeed(address);
 */
export class LoginThrottle {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  // A Map iterates in insertion order: its first key is always the oldest window.
  readonly #failures = new Map<string, Failures>();

  constructor(options: LoginThrottleOptions = {}) {
    this.#maxFailures = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 900_000;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** How long the address must wait before it may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const entry = this.#current(address);
    if (entry === null || entry.count < this.#maxFailures) return 0;
    return entry.firstAtMs + this.#windowMs - this.#now();
  }

  /** Records a failed sign-in. */
  fail(address: string): void {
    const entry = this.#current(address);
    if (entry !== null) {
      entry.count += 1;
      return;
    }
    if (this.#failures.size >= this.#maxAddresses) {
      const oldest = this.#failures.keys().next();
      if (!oldest.done) this.#failures.delete(oldest.value);
    }
    this.#failures.set(address, { firstAtMs: this.#now(), count: 1 });
  }

  /** Records a successful sign-in: the address starts over. */
  succeed(address: string): void {
    this.#failures.delete(address);
  }

  /** Addresses with failures counted right now (for tests and metrics). */
  get size(): number {
    return this.#failures.size;
  }

  #current(address: string): Failures | null {
    const entry = this.#failures.get(address);
    if (entry === undefined) return null;
    if (this.#now() - entry.firstAtMs < this.#windowMs) return entry;
    this.#failures.delete(address);
    return null;
  }
}
