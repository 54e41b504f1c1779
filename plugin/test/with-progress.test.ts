import { describe, expect, it } from 'vitest';
import { MemoryStore, Progressrus, withProgress } from '../src/index.js';

describe('withProgress', () => {
  it('ticks per item of a sync iterable, takes its length as the total and completes at the end', async () => {
    const store = new MemoryStore();
    const seen: number[] = [];
    for await (const n of withProgress([1, 2, 3], { scope: ['user', 1], id: 'sync', store }))
      seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
    expect(await store.find(['user', 1], 'sync')).toMatchObject({
      status: 'completed',
      count: 3,
      total: 3,
    });
  });

  it('ticks per item of an async iterable with an unknown total', async () => {
    const store = new MemoryStore();
    async function* rows() {
      yield 'a';
      yield 'b';
    }
    for await (const _ of withProgress(rows(), { scope: ['user', 1], id: 'async', store })) {
      // work on the row
    }
    expect(await store.find(['user', 1], 'async')).toMatchObject({
      status: 'completed',
      count: 2,
      total: null,
    });
  });

  it('fails the record and rethrows when the source throws', async () => {
    const store = new MemoryStore();
    async function* broken() {
      yield 1;
      throw new Error('source broke');
    }
    const run = async () => {
      for await (const _ of withProgress(broken(), { scope: ['user', 1], id: 'broken', store })) {
        // work
      }
    };
    await expect(run()).rejects.toThrow('source broke');
    expect(await store.find(['user', 1], 'broken')).toMatchObject({
      status: 'failed',
      count: 1,
      errorMessage: 'source broke',
    });
  });

  it('fails the record when the loop stops early', async () => {
    const store = new MemoryStore();
    for await (const n of withProgress([1, 2, 3], { scope: ['user', 1], id: 'early', store })) {
      if (n === 2) break;
    }
    expect(await store.find(['user', 1], 'early')).toMatchObject({
      status: 'failed',
      count: 1,
      errorMessage: 'Stopped after 1 items',
    });
  });
});

describe('Progressrus', () => {
  it('creates progressers with its store and defaults, and reads through the same store', async () => {
    const store = new MemoryStore();
    const progressrus = new Progressrus({
      store,
      intervalMs: 500,
      retention: { completedMs: null },
    });
    const progress = progressrus.progresser({ scope: ['user', 7], id: 'job', total: 2 });
    progress.tick(2);
    await progress.complete();
    const tick = await progressrus.find(['user', 7], 'job');
    expect(tick).toMatchObject({ status: 'completed', count: 2, intervalMs: 500, expiresAt: null });
    expect((await progressrus.scope(['user', 7])).map((t) => t.id)).toEqual(['job']);
    expect((await progressrus.scopes({ prefix: 'user:' })).items.map((item) => item.key)).toEqual([
      'user:7',
    ]);
    expect(await progressrus.jobs(['user', 7], { statuses: ['completed'] })).toMatchObject({
      items: [{ id: 'job' }],
      total: 1,
    });
    await progressrus.delete(['user', 7], 'job');
    expect(await progressrus.find(['user', 7], 'job')).toBeNull();
  });
});
