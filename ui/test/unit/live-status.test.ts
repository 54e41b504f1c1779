import { describe, expect, it } from 'vitest';
import { liveStatus, withLiveStatus } from '../../src/live-status.js';
import { makeJob } from './jobs.js';

describe('liveStatus', () => {
  const quiet = makeJob({ id: 'a', stalledAt: '2026-11-27T20:00:06.000Z' });

  it('turns a running job stalled once its stalledAt has passed', () => {
    expect(liveStatus(quiet, new Date('2026-11-27T20:00:06.000Z'))).toBe('running');
    expect(liveStatus(quiet, new Date('2026-11-27T20:00:06.001Z'))).toBe('stalled');
  });

  it('leaves finished jobs, jobs without stalledAt and the server render alone', () => {
    const later = new Date('2026-11-28T00:00:00.000Z');
    expect(liveStatus({ ...quiet, status: 'completed' }, later)).toBe('completed');
    expect(liveStatus({ ...quiet, stalledAt: null }, later)).toBe('running');
    expect(liveStatus(quiet, null)).toBe('running');
  });

  it('returns the same array when no status changes, and a new one when one does', () => {
    const jobs = [quiet, makeJob({ id: 'b' })];
    expect(withLiveStatus(jobs, new Date('2026-11-27T20:00:01.000Z'))).toBe(jobs);
    const changed = withLiveStatus(jobs, new Date('2026-11-27T20:01:00.000Z'));
    expect(changed).not.toBe(jobs);
    expect(changed.map((job) => job.status)).toEqual(['stalled', 'running']);
  });
});
