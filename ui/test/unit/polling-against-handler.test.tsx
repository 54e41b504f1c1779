import { act, renderHook, waitFor } from '@testing-library/react';
import { MemoryStore, Progresser } from 'progressrus';
import { createProgressHandler } from 'progressrus/http';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressHttpError } from '../../src/errors.js';
import type { FetchLike } from '../../src/progress-options.js';
import { useProgress } from '../../src/use-progress.js';
import { ManualClock } from './manual-clock.js';

/**
 * Polling against the real `progressrus/http` handler (in-process, over a MemoryStore): the
 * URLs the hook builds and the answers it parses are the ones the handler serves.
 */
function serve(authorize: (scope: readonly string[] | null) => boolean = () => true) {
  const store = new MemoryStore();
  const handler = createProgressHandler({
    store,
    basePath: '/api/progress',
    authorize: (_request, scope) => authorize(scope),
  });
  const fetch: FetchLike = (url, init) =>
    handler(new Request(new URL(url, 'http://localhost'), init));
  return { store, handler, fetch };
}

const handlers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(handlers.splice(0).map((handler) => handler.close()));
});

describe('useProgress polling the real HTTP handler', () => {
  it('lists the jobs of a scope and follows their progress', async () => {
    const { store, handler, fetch } = serve();
    handlers.push(handler);
    const progress = new Progresser({
      scope: ['user', 3421],
      id: 'export',
      name: 'Export',
      total: 10,
      store,
    });
    progress.tick(2);
    await progress.flush();
    const clock = new ManualClock();
    const { result } = renderHook(() =>
      useProgress(['user', 3421], { url: '/api/progress', EventSource: null, fetch, clock }),
    );
    await waitFor(() => expect(result.current.jobs[0]?.count).toBe(2));
    expect(result.current.jobs[0]).toMatchObject({
      id: 'export',
      name: 'Export',
      total: 10,
      percentage: 20,
    });
    expect(result.current).toMatchObject({ total: 1, counts: { running: 1, completed: 0 } });
    progress.tick(5);
    await progress.flush();
    act(() => clock.advance(2000));
    await waitFor(() => expect(result.current.jobs[0]?.percentage).toBe(70));
    await progress.complete();
    act(() => clock.advance(2000));
    await waitFor(() => expect(result.current.counts).toMatchObject({ running: 0, completed: 1 }));
  });

  it('follows one job by id, null until it exists', async () => {
    const { store, handler, fetch } = serve();
    handlers.push(handler);
    const clock = new ManualClock();
    const { result } = renderHook(() =>
      useProgress(
        { scope: 'user:7', id: 'report' },
        { url: '/api/progress', EventSource: null, fetch, clock },
      ),
    );
    await waitFor(() => expect(result.current.loaded).toBe(true));
    expect(result.current.job).toBeNull();
    expect(result.current.error).toBeNull();
    const progress = new Progresser({ scope: ['user', 7], id: 'report', total: 4, store });
    progress.tick(3);
    await progress.flush();
    act(() => clock.advance(2000));
    await waitFor(() => expect(result.current.job?.count).toBe(3));
    await progress.complete();
  });

  it("stops with the handler's forbidden error", async () => {
    const { handler, fetch } = serve(() => false);
    handlers.push(handler);
    const { result } = renderHook(() =>
      useProgress('user:1', {
        url: '/api/progress',
        EventSource: null,
        fetch,
        clock: new ManualClock(),
      }),
    );
    await waitFor(() => expect(result.current.error).toBeInstanceOf(ProgressHttpError));
    expect((result.current.error as ProgressHttpError).status).toBe(403);
    expect(result.current.connection).toBe('offline');
  });
});
