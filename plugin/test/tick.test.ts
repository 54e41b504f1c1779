import { describe, expect, it } from 'vitest';
import { EMPTY_EXTENSIONS, type ProgressRecord } from '../src/core/record.js';
import { Tick } from '../src/core/tick.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

function record(overrides: Partial<ProgressRecord> = {}): ProgressRecord {
  return {
    id: 'job',
    name: 'job',
    scope: ['user', '1'],
    startedAt: at(0),
    completedAt: null,
    failedAt: null,
    expiresAt: null,
    count: 50,
    total: 100,
    params: {},
    errorCount: 0,
    ...EMPTY_EXTENSIONS,
    ...overrides,
  };
}

describe('Tick', () => {
  it('reports percentage, null for an unknown total and 100 for a total of 0', () => {
    expect(new Tick(record()).percentage()).toBe(50);
    expect(new Tick(record({ count: 150 })).percentage()).toBe(150);
    expect(new Tick(record({ total: null })).percentage()).toBeNull();
    expect(new Tick(record({ total: 0, count: 0 })).percentage()).toBe(100);
  });

  it('derives the status from the times and the explicit state', () => {
    expect(new Tick(record({ startedAt: null, count: 0 })).status).toBe('started');
    expect(new Tick(record()).status).toBe('running');
    expect(new Tick(record({ completedAt: at(10) })).status).toBe('completed');
    expect(new Tick(record({ failedAt: at(10) })).status).toBe('failed');
    expect(new Tick(record({ state: 'retrying' })).status).toBe('retrying');
  });

  it('reads stalled when a running record has had no write for 3 intervals', () => {
    const running = record({ updatedAt: at(10_000), intervalMs: 2000 });
    expect(new Tick(running, at(16_000)).status).toBe('running');
    expect(new Tick(running, at(16_001)).status).toBe('stalled');
    expect(new Tick({ ...running, completedAt: at(10_000) }, at(60_000)).status).toBe('completed');
  });

  it('estimates the finish from the stored smoothed rate', () => {
    // 50 left at 10/s from the last write at 10 s: 15 s.
    const tick = new Tick(
      record({ updatedAt: at(10_000), ratePerSecond: 10, intervalMs: 2000 }),
      at(11_000),
    );
    expect(tick.eta()).toEqual(at(15_000));
  });

  it('moves the ETA out while the job is silent', () => {
    const running = record({ updatedAt: at(10_000), ratePerSecond: 10, intervalMs: 2000 });
    const early = new Tick(running, at(12_000)).eta();
    const later = new Tick(running, at(30_000)).eta();
    expect(early).toEqual(at(15_000));
    expect(later).toEqual(at(15_000 + 18_000));
  });

  it('falls back to the straight line without a stored rate (records of the Ruby gem)', () => {
    // 50 done in 10 s: 50 more take 10 s.
    expect(new Tick(record(), at(10_000)).eta()).toEqual(at(20_000));
    expect(new Tick(record({ total: null }), at(10_000)).eta()).toBeNull();
    expect(new Tick(record({ startedAt: null, count: 0 }), at(10_000)).eta()).toBeNull();
    expect(new Tick(record({ completedAt: at(5_000) }), at(10_000)).eta()).toBeNull();
  });

  it('has no ETA while the job waits for a retry, a delay or its children', () => {
    for (const state of ['retrying', 'delayed', 'waiting-children'] as const) {
      expect(
        new Tick(
          record({ state, updatedAt: at(10_000), ratePerSecond: 10, intervalMs: 2000 }),
          at(11_000),
        ).eta(),
      ).toBeNull();
    }
  });

  it('measures elapsed time to the end, or to now while running', () => {
    expect(new Tick(record(), at(7_000)).elapsed()).toBe(7_000);
    expect(new Tick(record({ completedAt: at(3_000) }), at(7_000)).elapsed()).toBe(3_000);
    expect(new Tick(record({ startedAt: null }), at(7_000)).elapsed()).toBe(0);
  });
});

describe('Tick.stalledAt', () => {
  it('is null when the interval puts it beyond the range of a Date', () => {
    const tick = new Tick(record({ updatedAt: at(0), intervalMs: 1e308 }), at(1000));
    expect(tick.stalledAt).toBeNull();
    expect(tick.status).toBe('running');
  });

  it('is three intervals after the last write for a running job', () => {
    expect(new Tick(record({ updatedAt: at(1000), intervalMs: 2000 })).stalledAt).toEqual(at(7000));
  });
});
