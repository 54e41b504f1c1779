import { act, renderHook, waitFor } from '@testing-library/react';
import type { JobDTO } from 'progressrus';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProgressHttpError } from '../../src/errors.js';
import type { FetchLike } from '../../src/progress-options.js';
import { type UseProgressOptions, useProgress } from '../../src/use-progress.js';
import { FakeEventSource } from './fake-event-source.js';
import { makeJob } from './jobs.js';
import { ManualClock } from './manual-clock.js';

/** Answers like the HTTP API from a list of jobs; records the URLs it was asked. */
function api(initial: JobDTO[]) {
  const state = { jobs: initial, status: 200, urls: [] as string[] };
  const fetch: FetchLike = async (url) => {
    state.urls.push(url);
    const { pathname, searchParams } = new URL(url, 'http://localhost');
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    if (state.status !== 200) {
      return json(
        { error: { code: state.status === 403 ? 'forbidden' : 'internal', message: 'no' } },
        state.status,
      );
    }
    if (pathname.endsWith('/job')) {
      const job = state.jobs.find((candidate) => candidate.id === searchParams.get('id'));
      return job ? json(job) : json({ error: { code: 'not_found', message: 'No such job' } }, 404);
    }
    return json({ items: state.jobs, nextCursor: null });
  };
  return { state, fetch };
}

function setup(overrides: Partial<UseProgressOptions> = {}) {
  const clock = new ManualClock();
  const options: UseProgressOptions = {
    url: '/api/progress',
    EventSource: FakeEventSource,
    clock,
    ...overrides,
  };
  return { clock, options };
}

beforeEach(() => FakeEventSource.reset());

describe('useProgress', () => {
  it('opens the event stream with the scope, id and token as query values', () => {
    const { options } = setup({ token: 'tok.en' });
    renderHook(() => useProgress({ scope: ['user', 3421], id: 'export-1' }, options));
    const url = new URL(FakeEventSource.last().url, 'http://localhost');
    expect(url.pathname).toBe('/api/progress/events');
    expect(url.searchParams.get('scope')).toBe('user:3421');
    expect(url.searchParams.get('id')).toBe('export-1');
    expect(url.searchParams.get('token')).toBe('tok.en');
  });

  it('is connecting until the stream opens, then live', () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress('user:3421', options));
    expect(result.current.connection).toBe('connecting');
    expect(result.current.loaded).toBe(false);
    act(() => FakeEventSource.last().open());
    expect(result.current.connection).toBe('live');
  });

  it('applies snapshot, job and removed events in order', () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress('user:3421', options));
    const source = FakeEventSource.last();
    act(() => {
      source.open();
      source.emit(
        'snapshot',
        { items: [makeJob({ id: 'a', count: 1 }), makeJob({ id: 'b' })] },
        '1-0',
      );
    });
    expect(result.current.loaded).toBe(true);
    expect(result.current.jobs.map((job) => job.id).sort()).toEqual(['a', 'b']);
    act(() => source.emit('job', makeJob({ id: 'a', count: 50, percentage: 50 }), '1-1'));
    expect(result.current.jobs.find((job) => job.id === 'a')?.percentage).toBe(50);
    act(() => source.emit('removed', { id: 'b' }, '1-2'));
    expect(result.current.jobs.map((job) => job.id)).toEqual(['a']);
  });

  it("keeps a scope snapshot's counts and total, and none for one job", () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress('user:3421', options));
    expect(result.current).toMatchObject({ counts: null, total: null });
    const counts = { running: 1, completed: 41 };
    act(() =>
      FakeEventSource.last().emit('snapshot', {
        items: [makeJob({ id: 'a' })],
        nextCursor: 'next',
        counts,
        total: 42,
      }),
    );
    expect(result.current).toMatchObject({ counts, total: 42 });
    // Events move the counts: a status change, a job started since, a removal.
    const source = FakeEventSource.last();
    act(() => source.emit('job', makeJob({ id: 'a', status: 'completed' })));
    expect(result.current).toMatchObject({ counts: { running: 0, completed: 42 }, total: 42 });
    const later = '2026-11-27T20:01:00.000Z';
    act(() => source.emit('job', makeJob({ id: 'b', status: 'running', startedAt: later })));
    expect(result.current).toMatchObject({ counts: { running: 1, completed: 42 }, total: 43 });
    act(() => source.emit('removed', { id: 'a' }));
    expect(result.current).toMatchObject({ counts: { running: 1, completed: 41 }, total: 42 });
    const one = renderHook(() => useProgress({ scope: 'user:3421', id: 'a' }, options));
    act(() => FakeEventSource.last().emit('snapshot', { items: [makeJob({ id: 'a' })], nextCursor: null }));
    expect(one.result.current).toMatchObject({ counts: null, total: null, loaded: true });
  });

  it('orders jobs newest start first and keeps that order while they tick', () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress('user:3421', options));
    const source = FakeEventSource.last();
    const older = makeJob({ id: 'older', startedAt: '2026-11-27T19:00:00.000Z' });
    const newer = makeJob({ id: 'newer', startedAt: '2026-11-27T19:30:00.000Z' });
    act(() => source.emit('snapshot', { items: [older, newer] }));
    expect(result.current.jobs.map((job) => job.id)).toEqual(['newer', 'older']);
    act(() => source.emit('job', { ...older, count: 99, updatedAt: '2026-11-27T20:00:00.000Z' }));
    expect(result.current.jobs.map((job) => job.id)).toEqual(['newer', 'older']);
  });

  it('returns the one job asked for and null while it does not exist', () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress({ scope: 'user:3421', id: 'a' }, options));
    const source = FakeEventSource.last();
    act(() => source.emit('snapshot', { items: [] }));
    expect(result.current.job).toBeNull();
    act(() => source.emit('job', makeJob({ id: 'a', count: 7 })));
    expect(result.current.job?.count).toBe(7);
  });

  it('ignores a malformed event and reports it without losing the jobs', () => {
    const { options } = setup();
    const { result } = renderHook(() => useProgress('user:3421', options));
    const source = FakeEventSource.last();
    act(() => source.emit('snapshot', { items: [makeJob({ id: 'a' })] }));
    act(() => source.emit('job', '{not json'));
    expect(result.current.error?.message).toMatch(/Malformed `job` event/);
    expect(result.current.jobs.map((job) => job.id)).toEqual(['a']);
  });

  it('resumes from the last event id when it reopens a stream the server refused', () => {
    const { options, clock } = setup({ fetch: api([]).fetch, reconnectDelayMs: 1000 });
    renderHook(() => useProgress('user:3421', options));
    const first = FakeEventSource.last();
    act(() => {
      first.open();
      first.emit('snapshot', { items: [] }, '100-0');
      first.emit('job', makeJob({ id: 'a' }), '100-1');
      first.refuse();
    });
    expect(first.closed).toBe(true);
    act(() => clock.advance(1000));
    const second = FakeEventSource.last();
    expect(second).not.toBe(first);
    expect(new URL(second.url, 'http://localhost').searchParams.get('lastEventId')).toBe('100-1');
  });

  it('lets the browser retry a dropped stream by itself before the failure limit', () => {
    const { options } = setup({ failuresBeforePolling: 3 });
    const { result } = renderHook(() => useProgress('user:3421', options));
    const source = FakeEventSource.last();
    act(() => {
      source.open();
      source.drop();
    });
    expect(result.current.connection).toBe('connecting');
    expect(source.closed).toBe(false);
    act(() => source.open());
    expect(result.current.connection).toBe('live');
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('polls when the stream keeps failing, then goes back to the stream once it opens', async () => {
    const server = api([makeJob({ id: 'a', count: 3 })]);
    const { options, clock } = setup({
      fetch: server.fetch,
      failuresBeforePolling: 2,
      pollIntervalMs: 2000,
    });
    const { result } = renderHook(() => useProgress('user:3421', options));
    const first = FakeEventSource.last();
    act(() => {
      first.drop();
      first.drop();
    });
    expect(first.closed).toBe(true);
    await waitFor(() => expect(result.current.connection).toBe('polling'));
    expect(result.current.jobs[0]?.count).toBe(3);
    expect(server.state.urls[0]).toBe('/api/progress/jobs?scope=user%3A3421');

    server.state.jobs = [makeJob({ id: 'a', count: 9 })];
    act(() => clock.advance(2000));
    await waitFor(() => expect(result.current.jobs[0]?.count).toBe(9));
    expect(result.current.connection).toBe('polling');

    // The stream is retried in the background; when it opens, polling stops.
    const retried = FakeEventSource.last();
    expect(retried).not.toBe(first);
    act(() => retried.open());
    expect(result.current.connection).toBe('live');
    const polls = server.state.urls.length;
    act(() => clock.advance(60_000));
    expect(server.state.urls.length).toBe(polls);
  });

  it('backs off exponentially between stream attempts, up to the maximum', () => {
    // Polls far apart, so that the earliest pending timer is the stream's.
    const { options, clock } = setup({
      fetch: api([]).fetch,
      pollIntervalMs: 60_000,
      reconnectDelayMs: 1000,
      maxReconnectDelayMs: 5000,
    });
    renderHook(() => useProgress('user:3421', options));
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      act(() => FakeEventSource.last().refuse());
      const wait = Math.min(...clock.pending());
      waits.push(wait);
      act(() => clock.advance(wait));
    }
    expect(waits).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('polls only when the browser has no EventSource', async () => {
    const server = api([makeJob({ id: 'a' })]);
    const { options } = setup({ fetch: server.fetch, EventSource: null, token: 't' });
    const { result } = renderHook(() => useProgress('user:3421', options));
    await waitFor(() => expect(result.current.connection).toBe('polling'));
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(server.state.urls[0]).toBe('/api/progress/jobs?scope=user%3A3421&token=t');
  });

  it('polls GET /job for one id and reads a 404 as "not there yet"', async () => {
    const server = api([]);
    const { options, clock } = setup({ fetch: server.fetch, EventSource: null });
    const { result } = renderHook(() => useProgress({ scope: 'user:3421', id: 'a' }, options));
    await waitFor(() => expect(result.current.loaded).toBe(true));
    expect(result.current.job).toBeNull();
    expect(result.current.error).toBeNull();
    server.state.jobs = [makeJob({ id: 'a', count: 4 })];
    act(() => clock.advance(2000));
    await waitFor(() => expect(result.current.job?.count).toBe(4));
  });

  it('is offline with the error while polls fail, and recovers', async () => {
    const server = api([makeJob({ id: 'a' })]);
    server.state.status = 500;
    const { options, clock } = setup({ fetch: server.fetch, EventSource: null });
    const { result } = renderHook(() => useProgress('user:3421', options));
    await waitFor(() => expect(result.current.connection).toBe('offline'));
    expect(result.current.error).toBeInstanceOf(ProgressHttpError);
    server.state.status = 200;
    act(() => clock.advance(30_000));
    await waitFor(() => expect(result.current.connection).toBe('polling'));
    expect(result.current.error).toBeNull();
  });

  it('gives up on a forbidden scope instead of retrying forever', async () => {
    const server = api([]);
    server.state.status = 403;
    const { options, clock } = setup({ fetch: server.fetch });
    const { result } = renderHook(() => useProgress('user:3421', options));
    act(() => FakeEventSource.last().refuse());
    await waitFor(() => expect(result.current.error).toBeInstanceOf(ProgressHttpError));
    expect((result.current.error as ProgressHttpError).code).toBe('forbidden');
    expect(result.current.connection).toBe('offline');
    const attempts = FakeEventSource.instances.length;
    const polls = server.state.urls.length;
    act(() => clock.advance(120_000));
    expect(FakeEventSource.instances.length).toBe(attempts);
    expect(server.state.urls.length).toBe(polls);
  });

  it('closes the old stream and starts empty when the scope changes', () => {
    const { options } = setup();
    const { result, rerender } = renderHook(({ scope }) => useProgress(scope, options), {
      initialProps: { scope: 'user:1' },
    });
    const first = FakeEventSource.last();
    act(() => first.emit('snapshot', { items: [makeJob({ id: 'a' })] }));
    expect(result.current.jobs).toHaveLength(1);
    rerender({ scope: 'user:2' });
    expect(first.closed).toBe(true);
    expect(result.current.jobs).toHaveLength(0);
    expect(new URL(FakeEventSource.last().url, 'http://localhost').searchParams.get('scope')).toBe(
      'user:2',
    );
  });

  it('takes a renewed token over without losing the jobs: the stream resumes with it', () => {
    const { options } = setup({ token: 'first' });
    const { result, rerender } = renderHook(
      ({ token }) => useProgress('user:1', { ...options, token }),
      {
        initialProps: { token: 'first' },
      },
    );
    const first = FakeEventSource.last();
    act(() => {
      first.open();
      first.emit('snapshot', { items: [makeJob({ id: 'a', count: 5 })] }, '100-0');
      first.emit('job', makeJob({ id: 'a', count: 6 }), '100-1');
    });
    rerender({ token: 'second' });
    expect(first.closed).toBe(true);
    const second = FakeEventSource.last();
    expect(second).not.toBe(first);
    const query = new URL(second.url, 'http://localhost').searchParams;
    expect(query.get('token')).toBe('second');
    expect(query.get('lastEventId')).toBe('100-1');
    // The viewer sees neither an empty list nor a reconnect while the new stream opens.
    expect(result.current.jobs.map((job) => job.count)).toEqual([6]);
    expect(result.current.connection).toBe('live');
    act(() => second.emit('job', makeJob({ id: 'a', count: 7 }), '100-2'));
    expect(result.current.jobs.map((job) => job.count)).toEqual([7]);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('starts again with a renewed token after the old one was refused', async () => {
    const server = api([]);
    server.state.status = 401;
    const { options } = setup({ fetch: server.fetch });
    const { result, rerender } = renderHook(
      ({ token }) => useProgress('user:1', { ...options, token }),
      {
        initialProps: { token: 'expired' },
      },
    );
    act(() => FakeEventSource.last().refuse());
    await waitFor(() => expect((result.current.error as ProgressHttpError)?.status).toBe(401));
    expect(result.current.connection).toBe('offline');
    const attempts = FakeEventSource.instances.length;
    rerender({ token: 'fresh' });
    expect(FakeEventSource.instances).toHaveLength(attempts + 1);
    const reopened = FakeEventSource.last();
    expect(new URL(reopened.url, 'http://localhost').searchParams.get('token')).toBe('fresh');
    act(() => {
      reopened.open();
      reopened.emit('snapshot', { items: [makeJob({ id: 'b' })] }, '200-0');
    });
    expect(result.current.connection).toBe('live');
    expect(result.current.error).toBeNull();
    expect(result.current.jobs.map((job) => job.id)).toEqual(['b']);
  });

  it('does not reconnect when the options object is new but equal', () => {
    const { options } = setup();
    const { rerender } = renderHook(() => useProgress(['user', 1], { ...options }));
    rerender();
    rerender();
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('closes the stream on unmount', () => {
    const { options } = setup();
    const { unmount } = renderHook(() => useProgress('user:1', options));
    unmount();
    expect(FakeEventSource.last().closed).toBe(true);
  });

  it('shares one stream between components following the same target; the last to leave closes it', () => {
    const { options } = setup();
    const first = renderHook(() => useProgress('user:3421', options));
    const second = renderHook(() => useProgress(['user', 3421], { ...options }));
    const other = renderHook(() => useProgress('user:7', options));
    expect(FakeEventSource.instances).toHaveLength(2);
    const [shared] = FakeEventSource.instances as [FakeEventSource];
    act(() => shared.open());
    act(() => shared.emit('snapshot', { items: [makeJob({ id: 'a' })] }));
    expect(first.result.current.connection).toBe('live');
    expect(second.result.current.jobs.map((job) => job.id)).toEqual(['a']);
    expect(other.result.current.connection).toBe('connecting');
    first.unmount();
    expect(shared.closed).toBe(false);
    second.unmount();
    expect(shared.closed).toBe(true);
    other.unmount();
  });

  it('shows initial jobs from the server before the first event', () => {
    const { options } = setup({ initialJobs: [makeJob({ id: 'a', count: 5 })] });
    const { result } = renderHook(() => useProgress('user:1', options));
    expect(result.current.loaded).toBe(true);
    expect(result.current.jobs[0]?.count).toBe(5);
  });

  it('throws at the call for a bad scope or url', () => {
    const { options } = setup();
    expect(() => renderHook(() => useProgress(['user', 'a:b'], options))).toThrow(
      'Expected `scope[1]` to be a non-empty string without \':\' or NUL, or a finite number, got `"a:b"`',
    );
    expect(() =>
      renderHook(() => useProgress('user:1', { ...options, url: 1 as unknown as string })),
    ).toThrow('Expected `url` to be a string, got `1`');
    expect(() =>
      renderHook(() => useProgress('user:1', { ...options, pollIntervalMs: 0 })),
    ).toThrow('Expected `pollIntervalMs` to be a finite number > 0, got `0`');
  });

  it('retries at once when the browser comes back online', () => {
    const { options } = setup({
      fetch: api([]).fetch,
      pollIntervalMs: 60_000,
      reconnectDelayMs: 20_000,
    });
    renderHook(() => useProgress('user:3421', options));
    const first = FakeEventSource.last();
    act(() => first.refuse());
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(FakeEventSource.instances).toHaveLength(2);
    act(() => FakeEventSource.last().open());
    expect(FakeEventSource.last().closed).toBe(false);
  });
});
