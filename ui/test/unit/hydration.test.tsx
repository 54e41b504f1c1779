import { act, render, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Eta } from '../../src/eta.js';
import { JobList } from '../../src/job-list.js';
import { makeJob } from './jobs.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('times before and after hydration', () => {
  it('renders zone-neutral times on the server and hydrates without a mismatch', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-27T20:00:00.000Z'), toFake: ['Date'] });
    const jobs = [
      makeJob({
        id: 'a',
        name: 'Export',
        startedAt: '2026-11-27T19:55:00.000Z',
        eta: '2026-11-27T20:07:00.000Z',
      }),
    ];
    const html = renderToString(<JobList jobs={jobs} locale="en-US" timeZone="Asia/Tokyo" />);
    expect(html).toContain('2026-11-27 19:55 UTC');

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const recoverable: unknown[] = [];
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, <JobList jobs={jobs} locale="en-US" timeZone="Asia/Tokyo" />, {
        onRecoverableError: (error) => recoverable.push(error),
      });
    });
    expect(recoverable).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    // After hydration, the viewer's zone: 19:55 UTC is 04:55 in Tokyo (the same day as "now" there).
    expect(
      container.querySelector('time[datetime="2026-11-27T19:55:00.000Z"]')?.textContent,
    ).toMatch(/^4:55:00\s?AM$/);
    act(() => root?.unmount());
    container.remove();
  });
});

describe('useNow', () => {
  it('re-renders relative times as the clock moves', () => {
    vi.useFakeTimers({
      now: new Date('2026-11-27T20:00:00.000Z'),
      toFake: ['Date', 'setInterval', 'clearInterval'],
    });
    render(<Eta value="2026-11-27T20:03:00.000Z" locale="en-US" />);
    expect(screen.getByText('in 3 minutes')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(61_000);
    });
    expect(screen.getByText('in 2 minutes')).toBeTruthy();
  });
});
