import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore, Progresser, ProgressrusArgumentError, type ProgressRecord, StoreError } from '../src/index.js';

/** A MemoryStore that remembers every record written to it, in order. */
class RecordingStore extends MemoryStore {
  readonly writes: ProgressRecord[] = [];
  failing = false;
  override async persist(record: ProgressRecord): Promise<void> {
    if (this.failing) throw new Error('store is down');
    this.writes.push(record);
    return super.persist(record);
  }
}

describe('Progresser', () => {
  let store: RecordingStore;
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    store = new RecordingStore();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (options: Partial<ConstructorParameters<typeof Progresser>[0]> = {}) =>
    new Progresser({ scope: ['user', 1], total: 100, id: 'job', store, intervalMs: 1000, ...options });

  it('writes the first tick at once', async () => {
    const progress = make();
    progress.tick();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]).toMatchObject({ count: 1, total: 100, startedAt: new Date('2026-01-01T00:00:00Z') });
  });

  it('writes at most once per interval however many ticks come', async () => {
    const progress = make();
    for (let ms = 0; ms < 5000; ms += 1) {
      progress.tick(2);
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.writes.length).toBeLessThanOrEqual(5000 / 1000 + 2);
    expect(store.writes.at(-1)?.count).toBe(10_000);
  });

  it('writes the last count within one interval after the last tick with no further call', async () => {
    const progress = make();
    progress.tick();
    await vi.advanceTimersByTimeAsync(10);
    progress.tick(5);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.writes.at(-1)?.count).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.writes.at(-1)?.count).toBe(6);
  });

  it('writes complete() and fail() at once, bypassing the throttle', async () => {
    const done = make({ id: 'a' });
    done.tick();
    done.tick();
    await done.complete();
    expect(store.writes.at(-1)).toMatchObject({ id: 'a', count: 2, completedAt: new Date('2026-01-01T00:00:00Z') });

    const failed = make({ id: 'b' });
    failed.tick();
    await failed.fail(new Error('disk full'));
    expect(store.writes.at(-1)).toMatchObject({ id: 'b', failedAt: expect.any(Date), errorMessage: 'disk full' });
    expect((await store.find(['user', 1], 'b'))?.status).toBe('failed');
  });

  it('sets started_at on the first positive tick, or on complete/fail', async () => {
    const progress = make({ persist: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes[0]?.startedAt).toBeNull();
    progress.tick(0);
    vi.setSystemTime(new Date('2026-01-01T00:00:05Z'));
    progress.tick(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.writes.at(-1)?.startedAt).toEqual(new Date('2026-01-01T00:00:05Z'));

    const never = make({ id: 'never' });
    await never.complete();
    expect(store.writes.at(-1)?.startedAt).toEqual(store.writes.at(-1)?.completedAt);
  });

  it('re-persists a new total at once once the record was written', async () => {
    const progress = make({ total: null });
    progress.total = 50;
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes).toHaveLength(0);
    progress.tick();
    await vi.advanceTimersByTimeAsync(0);
    progress.total = 80;
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes.at(-1)?.total).toBe(80);
  });

  it('counts errors and writes them with the next write', async () => {
    const progress = make();
    progress.error(2);
    await progress.complete();
    expect(store.writes.at(-1)?.errorCount).toBe(2);
  });

  it('never throws a store failure into tick(), and writes again once the store is back', async () => {
    const errors: Error[] = [];
    const progress = make({ onError: (error) => errors.push(error) });
    store.failing = true;
    expect(() => progress.tick()).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    progress.tick();
    await vi.advanceTimersByTimeAsync(3000);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(StoreError);
    store.failing = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.writes.at(-1)?.count).toBe(2);
  });

  it('warns once per burst of failures by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const progress = make();
    store.failing = true;
    for (let i = 0; i < 10; i += 1) {
      progress.tick();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('resolves complete() after finalWriteTimeoutMs while the store is down, and writes once it is back', async () => {
    const errors: Error[] = [];
    const progress = make({ finalWriteTimeoutMs: 2000, onError: (error) => errors.push(error) });
    store.failing = true;
    let resolved = false;
    void progress.complete().then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
    store.failing = false;
    await vi.advanceTimersByTimeAsync(6000);
    expect(store.writes.at(-1)?.completedAt).not.toBeNull();
  });

  it('writes to every store, and one failing store never stops the others', async () => {
    const broken = new (class extends MemoryStore {
      override persist(): Promise<void> {
        return Promise.reject(new Error('down'));
      }
    })();
    const progress = new Progresser({ scope: ['s'], id: 'x', stores: [broken, store], onError: () => {} });
    const done = progress.complete();
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(store.writes).toHaveLength(1);
  });

  it('expires finished records after their retention', async () => {
    const progress = make({ retention: { completedMs: 60_000 } });
    await progress.complete();
    expect(store.writes.at(-1)?.expiresAt).toEqual(new Date(Date.now() + 60_000));
    const kept = make({ id: 'kept', retention: { completedMs: null } });
    await kept.complete();
    expect(store.writes.at(-1)?.expiresAt).toBeNull();
    vi.setSystemTime(Date.now() + 60_001);
    expect(await store.find(['user', 1], 'job')).toBeNull();
    expect(await store.find(['user', 1], 'kept')).not.toBeNull();
  });

  it('records actions at once and ends cancelled, kept as long as completed records', async () => {
    const asked = { action: 'cancel' as const, at: new Date(Date.now() - 5) };
    const progress = make({ retention: { completedMs: 60_000 }, actions: [asked] });
    progress.tick();
    await progress.recordAction({ action: 'cancel', at: new Date() });
    const requested = await store.find(['user', 1], 'job');
    expect(requested?.actions.map((action) => action.action)).toEqual(['cancel', 'cancel']);
    expect(requested?.cancelRequested).toBe(true);
    await progress.cancel();
    const cancelled = await store.find(['user', 1], 'job');
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.cancelledAt).toEqual(new Date());
    expect(cancelled?.cancelRequested).toBe(false);
    expect(cancelled?.finished).toBe(true);
    expect(store.writes.at(-1)?.expiresAt).toEqual(new Date(Date.now() + 60_000));
    await progress.complete();
    expect((await store.find(['user', 1], 'job'))?.status).toBe('cancelled');
  });

  it('refuses cancelled through setState: an end goes through cancel()', () => {
    expect(() => make().setState('cancelled')).toThrow(/Expected `state` to be one of queued/);
  });

  describe('validation', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['a negative total', () => make({ total: -1 }), /Expected `total` to be an integer ≥ 0 or null, got `-1`/],
      ['a NaN total', () => make({ total: Number.NaN }), /`total`.*got `NaN`/],
      ['an infinite total', () => make({ total: Number.POSITIVE_INFINITY }), /`total`.*got `Infinity`/],
      ['a fractional total', () => make({ total: 1.5 }), /`total`.*got `1.5`/],
      ['an empty scope', () => make({ scope: [] }), /Expected `scope` to be a non-empty array/],
      ['a scope part with a colon', () => make({ scope: ['user:1'] }), /Expected `scope\[0\]`.*without ':'.*got `"user:1"`/],
      ['a scope part that is an object', () => make({ scope: [{} as never] }), /`scope\[0\]`/],
      ['a scope part that is NaN', () => make({ scope: [Number.NaN] }), /`scope\[0\]`/],
      ['an empty scope part', () => make({ scope: ['user', ''] }), /`scope\[1\]`/],
      ['BigInt params', () => make({ params: { n: 1n } }), /Expected `params` to be a value JSON can hold/],
      ['cyclic params', () => {
        const params: Record<string, unknown> = {};
        params.self = params;
        return make({ params });
      }, /`params`/],
      ['a negative interval', () => make({ intervalMs: -1 }), /Expected `intervalMs` to be a finite number ≥ 0, got `-1`/],
      ['no store', () => new Progresser({ scope: ['a'] }), /Expected `store`/],
      ['an empty id', () => make({ id: '' }), /Expected `id`/],
      ['a negative tick', () => make().tick(-1), /Expected `n` to be an integer ≥ 0, got `-1`/],
      ['a fractional tick', () => make().tick(0.5), /`n`/],
      ['a string tick', () => make().tick('1' as never), /`n`/],
      ['a negative total set later', () => {
        make().total = -3;
      }, /`total`/],
    ];
    it.each(cases)('throws at the call for %s', (_, call, message) => {
      expect(call).toThrow(ProgressrusArgumentError);
      expect(call).toThrow(message);
    });
  });
});
