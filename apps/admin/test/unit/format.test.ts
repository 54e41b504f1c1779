import { describe, expect, it } from 'vitest';
import {
  formatCountOf,
  formatJobPercentage,
  formatOrdinal,
  formatQueuePosition,
} from '../../lib/format';

describe('formatOrdinal', () => {
  it('gives English ordinal suffixes, teens included', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 1002].map(formatOrdinal)).toEqual([
      '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '1,002nd',
    ]);
  });
});

describe('formatCountOf', () => {
  it('puts the noun in the plural unless the count is 1, with the count grouped', () => {
    expect(formatCountOf(1, 'job')).toBe('1 job');
    expect(formatCountOf(0, 'job')).toBe('0 jobs');
    expect(formatCountOf(1200, 'running job')).toBe('1,200 running jobs');
  });
});

describe('formatQueuePosition', () => {
  const now = 1_000_000;

  it('says the place in the queue and the expected start', () => {
    expect(formatQueuePosition({ state: 'waiting', position: 3, expectedStartMs: now + 40_000 }, now)).toBe(
      '3rd in queue · expected to start in ~40 s',
    );
    expect(formatQueuePosition({ state: 'delayed', position: 2, expectedStartMs: now + 125_000 }, now)).toBe(
      'delayed (2nd) · expected to start in ~2 min 05 s',
    );
    expect(formatQueuePosition({ state: 'prioritized', position: 1, expectedStartMs: now + 200 }, now)).toBe(
      '1st in queue · expected to start any moment',
    );
  });

  it('expects no start when nothing finished lately', () => {
    expect(formatQueuePosition({ state: 'waiting', position: 1, expectedStartMs: null }, now)).toMatch(/^1st in queue · no job finished/);
  });
});

describe('formatJobPercentage', () => {
  it('reads 100% for a completed job whatever its last count, else its percentage floored', () => {
    expect(formatJobPercentage({ status: 'completed', percentage: 99.5 })).toBe('100%');
    expect(formatJobPercentage({ status: 'completed', percentage: null })).toBe('100%');
    expect(formatJobPercentage({ status: 'running', percentage: 99.5 })).toBe('99%');
    expect(formatJobPercentage({ status: 'running', percentage: null })).toBe('—');
  });
});
