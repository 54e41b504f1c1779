import { seededRandom } from 'progressrus/testing';
import { describe, expect, it } from 'vitest';
import {
  initialPlan,
  nextJob,
  QUEUES,
  TEMPLATES,
  USERS,
} from '../src/workload/job-plan.js';
import { rateFactor } from '../src/workload/rate-shape.js';

describe('initialPlan', () => {
  const plan = initialPlan(seededRandom(42));

  it('has every kind of job, in every queue, for every user', () => {
    expect(new Set(plan.map((job) => job.queue))).toEqual(new Set(QUEUES));
    expect(new Set(plan.map((job) => job.data.user))).toEqual(new Set(USERS));
    expect(plan.length).toBeGreaterThanOrEqual(Object.keys(TEMPLATES).length);
  });

  it('covers unknown and late totals, speed changes, stalls, retries, failures, delays and children', () => {
    const data = plan.map((job) => job.data);
    expect(data.some((job) => job.totalKnown === 'unknown')).toBe(true);
    expect(data.some((job) => job.totalKnown === 'late')).toBe(true);
    expect(new Set(data.map((job) => job.shape))).toEqual(
      new Set(['steady', 'speeds-up', 'slows-down', 'bursty']),
    );
    expect(data.some((job) => job.stall !== null)).toBe(true);
    expect(data.some((job) => job.prepareMs > 0)).toBe(true);
    expect(data.some((job) => job.delayFirstMs > 0)).toBe(true);
    expect(data.some((job) => job.children.length > 0)).toBe(true);
    // One that succeeds on a retry, one that runs out of attempts.
    expect(plan.some((job) => job.data.failure && job.attempts > job.data.failure.attempts)).toBe(
      true,
    );
    expect(plan.some((job) => job.data.failure && job.attempts <= job.data.failure.attempts)).toBe(
      true,
    );
  });

  it('is the same for the same seed', () => {
    expect(initialPlan(seededRandom(7))).toEqual(initialPlan(seededRandom(7)));
    expect(nextJob(seededRandom(7))).toEqual(nextJob(seededRandom(7)));
    expect(initialPlan(seededRandom(7))).not.toEqual(initialPlan(seededRandom(8)));
  });
});

describe('rateFactor', () => {
  it('speeds up, slows down and bursts as its name says', () => {
    expect(rateFactor('steady', 0.9, 10_000)).toBe(1);
    expect(rateFactor('speeds-up', 0.9, 0)).toBeGreaterThan(3 * rateFactor('speeds-up', 0, 0));
    expect(rateFactor('slows-down', 0, 0)).toBeGreaterThan(3 * rateFactor('slows-down', 0.9, 0));
    expect(rateFactor('bursty', 0.5, 1000)).toBeGreaterThan(3 * rateFactor('bursty', 0.5, 7000));
  });
});
