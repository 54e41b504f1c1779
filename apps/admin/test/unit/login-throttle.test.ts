import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../lib/login-throttle';

function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  const throttle = new LoginThrottle({
    maxFailures: 3,
    windowMs: 60_000,
    maxAddresses: 100,
    now: () => clock.now,
  });
  return { throttle, clock };
}

describe('LoginThrottle', () => {
  it('blocks an address after maxFailures within the window, until the window ends', () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 2; i += 1) throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
    clock.now += 10_000;
    throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBe(50_000);
    expect(throttle.retryAfterMs('b')).toBe(0);
    clock.now += 49_999;
    expect(throttle.retryAfterMs('a')).toBe(1);
    clock.now += 1;
    expect(throttle.retryAfterMs('a')).toBe(0);
  });

  it('starts over after a success', () => {
    const { throttle } = throttleAt();
    throttle.fail('a');
    throttle.fail('a');
    throttle.succeed('a');
    throttle.fail('a');
    throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const { throttle, clock } = throttleAt();
    throttle.fail('a');
    throttle.fail('a');
    clock.now += 60_000;
    throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBe(0);
  });

  it('keeps at most maxAddresses entries, dropping the oldest', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 3; i += 1) throttle.fail('first');
    expect(throttle.retryAfterMs('first')).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i += 1) throttle.fail(`flood-${i}`);
    expect(throttle.size).toBe(100);
    expect(throttle.retryAfterMs('first')).toBe(0);
  });
});
