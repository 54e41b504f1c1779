import { describe, expect, it } from 'vitest';
import { Deadlines } from '../src/core/deadlines.js';
import { sleep } from './helpers.js';

describe('Deadlines', () => {
  it('fires what is not cancelled, in order, once its delay has passed', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const start = Date.now();
    const cancelled = Array.from({ length: 1000 }, (_, i) => deadlines.after(30, () => fired.push(`c${i}`)));
    deadlines.after(30, () => fired.push('a'));
    deadlines.after(10, () => fired.push('short'));
    for (const deadline of cancelled) deadline.cancel();
    await sleep(5);
    deadlines.after(30, () => fired.push('b'));
    expect(fired).toEqual([]);
    await sleep(80);
    expect(fired).toEqual(['short', 'a', 'b']);
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
  });
});
