import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../src/core/codec.js';
import {
  decodeHistory,
  encodeHistory,
  HISTORY_POINTS,
  HistoryBuffer,
} from '../src/core/history.js';
import { Progresser } from '../src/core/progresser.js';
import { MemoryStore } from '../src/stores/memory/memory-store.js';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const HOUR_MS = 3_600_000;

/** Runs a job on a simulated clock: `rate` items per second, a write whenever one is due. */
async function runJob(hours: number, rate: number) {
  let nowMs = T0;
  const store = new MemoryStore({ now: () => nowMs });
  const progress = new Progresser({
    scope: ['s'],
    id: 'long',
    store,
    intervalMs: 2_000,
    now: () => nowMs,
  });
  for (let t = 0; t < hours * HOUR_MS; t += 1_000) {
    nowMs = T0 + t;
    progress.tick(rate);
    // The throttle's trailing write, fired by hand on the simulated clock.
    if (t % 2_000 === 1_000) await progress.flush();
  }
  return { progress, store, endMs: nowMs };
}

describe('progress history', () => {
  it('keeps a 10-hour job to a bounded, evenly spread series with the start and the latest point exact', async () => {
    const { progress, store, endMs } = await runJob(10, 7);
    const tick = await store.find(['s'], 'long');
    const history = tick?.history ?? [];
    expect(history.length).toBeGreaterThanOrEqual(32);
    expect(history.length).toBeLessThanOrEqual(HISTORY_POINTS);
    expect(history[0]).toEqual({ at: new Date(T0), count: 0, retry: false });
    expect(history.at(-1)).toEqual({ at: new Date(endMs), count: progress.count, retry: false });
    // Evenly spread: no gap between two points longer than a tenth of the job.
    const gaps = history
      .slice(1)
      .map((point, i) => point.at.getTime() - (history[i]?.at.getTime() ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(HOUR_MS);
    // Every point lies on the job's line (7 items a second), to the wire's rounding.
    for (const point of history) {
      const expected = ((point.at.getTime() - T0) / 1000) * 7;
      expect(Math.abs(point.count - expected)).toBeLessThan(progress.count / 1000 + 7 * 10);
    }
  });

  it('adds at most 300 bytes to a record, even full, with retries, over a month and a trillion items', async () => {
    const { progress } = await runJob(1, 50);
    const record = progress.snapshot();
    const size = (history: typeof record.history) =>
      encodeRecord({ ...record, history }, 'default').length -
      encodeRecord({ ...record, history: [] }, 'default').length;
    expect(size(record.history)).toBeLessThanOrEqual(300);
    const monthMs = 30 * 24 * HOUR_MS;
    const full = Array.from({ length: HISTORY_POINTS }, (_, i) => ({
      at: new Date(
        (record.updatedAt?.getTime() ?? 0) - monthMs + (i * monthMs) / (HISTORY_POINTS - 1),
      ),
      count: i * 16_000_000_000,
      retry: i % 7 === 3,
    }));
    expect(full.filter((point) => point.retry)).toHaveLength(9);
    expect(size(full)).toBeLessThanOrEqual(300);
  });

  it('reads a record of the Ruby gem, which has no history', () => {
    const dump = JSON.parse(
      readFileSync(
        new URL('./fixtures/ruby-gem/redis-dump-ruby-time.json', import.meta.url),
        'utf8',
      ),
    ) as Record<string, Record<string, string>>;
    const [key, fields] = Object.entries(dump)[0] as [string, Record<string, string>];
    const [field, raw] = Object.entries(fields)[0] as [string, string];
    const record = decodeRecord(raw, key, field);
    expect(record.history).toEqual([]);
    expect(record.count).toBeGreaterThanOrEqual(0);
  });

  it('continues an earlier attempt as one series, the retry marked where the new attempt started', async () => {
    let nowMs = T0;
    const store = new MemoryStore({ now: () => nowMs });
    const first = new Progresser({
      scope: ['s'],
      id: 'j',
      store,
      intervalMs: 2_000,
      now: () => nowMs,
    });
    for (let i = 0; i < 30; i++) {
      nowMs += 1_000;
      first.tick(5);
      await first.flush();
    }
    await first.setState('retrying', new Error('boom'));
    nowMs += 60_000;
    const previous = (await store.find(['s'], 'j'))?.history ?? [];
    const second = new Progresser({
      scope: ['s'],
      id: 'j',
      store,
      intervalMs: 2_000,
      now: () => nowMs,
      history: previous,
    });
    for (let i = 0; i < 10; i++) {
      nowMs += 1_000;
      second.tick(5);
      await second.flush();
    }
    await second.complete();
    const history = (await store.find(['s'], 'j'))?.history ?? [];
    const retries = history.filter((point) => point.retry);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ count: 0 });
    expect(history[0]?.at).toEqual(new Date(T0 + 1_000));
    const times = history.map((point) => point.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(history.at(-1)?.count).toBe(50);
  });

  it('keeps retry marks when thinning, and stays bounded however often a job is retried', () => {
    let points = new HistoryBuffer(1_000).points();
    for (let attempt = 0; attempt < 20; attempt++) {
      const buffer = new HistoryBuffer(1_000, points);
      const from = (points.at(-1)?.at.getTime() ?? 0) + 1_000;
      for (let t = 0; t < 500; t++) buffer.add(from + t * 1_000, t);
      points = buffer.points();
      expect(points.length).toBeLessThanOrEqual(HISTORY_POINTS);
    }
    expect(points.filter((point) => point.retry).length).toBeGreaterThan(0);
  });

  it('rejects a malformed history on the wire', () => {
    const updatedAt = new Date(T0);
    expect(decodeHistory([1000, 10, 'AAA'], updatedAt, 1)).toBeNull();
    expect(decodeHistory([1000, 10, 'A!AA'], updatedAt, 1)).toBeNull();
    expect(decodeHistory({ span: 1 }, updatedAt, 1)).toBeNull();
    expect(decodeHistory([1000, 10, 'AAAA'], null, 1)).toBeNull();
    const encoded = encodeHistory([
      { at: new Date(T0 - 1000), count: 0, retry: false },
      { at: updatedAt, count: 4, retry: true },
    ]);
    expect(decodeHistory(encoded, updatedAt, 4)).toEqual([
      { at: new Date(T0 - 1000), count: 0, retry: false },
      { at: updatedAt, count: 4, retry: true },
    ]);
  });
});
