import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../src/core/codec.js';
import { MalformedRecordError } from '../src/core/errors.js';
import { EMPTY_EXTENSIONS, type ProgressRecord } from '../src/core/record.js';
import { formatTime, parseTime } from '../src/core/time.js';

const RUBY_KEYS = [
  'name',
  'id',
  'scope',
  'started_at',
  'completed_at',
  'failed_at',
  'expires_at',
  'count',
  'total',
  'params',
  'error_count',
];

const record: ProgressRecord = {
  id: 'r1',
  name: 'Import — "quoted"',
  scope: ['user', '3421'],
  startedAt: new Date('2026-11-27T20:15:40.486Z'),
  completedAt: null,
  failedAt: null,
  expiresAt: new Date('2026-11-28T20:15:40.486Z'),
  count: 3,
  total: null,
  params: { file: 'a.csv', nested: { tags: ['x'] } },
  errorCount: 1,
  ...EMPTY_EXTENSIONS,
  updatedAt: new Date('2026-11-27T20:15:42.000Z'),
  ratePerSecond: 1.5,
  intervalMs: 2000,
  queue: 'imports',
  jobId: '42',
  attempt: 2,
  errorMessage: 'boom',
  state: 'retrying',
};

describe('encodeRecord', () => {
  it('writes exactly the 11 keys of the Ruby gem, in its order, in the ruby format', () => {
    expect(Object.keys(JSON.parse(encodeRecord(record, 'ruby')))).toEqual(RUBY_KEYS);
  });

  it('appends the extension keys after the Ruby keys in the default format', () => {
    const keys = Object.keys(JSON.parse(encodeRecord(record, 'default')));
    expect(keys.slice(0, 11)).toEqual(RUBY_KEYS);
    expect(keys.slice(11)).toEqual([
      'updated_at',
      'rate',
      'interval_ms',
      'state',
      'error_message',
      'queue',
      'job_id',
      'attempt',
    ]);
  });

  it('round-trips every field through decodeRecord', () => {
    expect(decodeRecord(encodeRecord(record, 'default'), 'user:3421', 'r1')).toEqual(record);
  });

  it('writes ISO-8601 times with milliseconds', () => {
    expect(JSON.parse(encodeRecord(record, 'ruby')).started_at).toBe('2026-11-27T20:15:40.486Z');
  });
});

describe('decodeRecord', () => {
  const bad: [string, string][] = [
    ['not JSON', '{'],
    ['an array', '[1]'],
    ['a string count', '{"count":"3"}'],
    ['a negative count', '{"count":-1}'],
    ['an unparseable time', '{"count":1,"started_at":"yesterday"}'],
    ['an object scope', '{"count":1,"scope":{}}'],
    ['an unknown state', '{"count":1,"state":"exploded"}'],
  ];
  it.each(bad)('reports %s as a MalformedRecordError naming the record', (_, raw) => {
    expect(() => decodeRecord(raw, 'user:1', 'bad')).toThrow(MalformedRecordError);
    expect(() => decodeRecord(raw, 'user:1', 'bad')).toThrow(/"bad" in scope "user:1"/);
  });
});

describe('parseTime', () => {
  it.each([
    ['2026-11-27 15:15:40 -0500', '2026-11-27T20:15:40.000Z'],
    ['2013-12-08 10:53:41 +0100', '2013-12-08T09:53:41.000Z'],
    ['2026-11-27 20:15:40 UTC', '2026-11-27T20:15:40.000Z'],
    ['2026-11-27T15:15:40.486-05:00', '2026-11-27T20:15:40.486Z'],
    ['2026-11-27T20:15:40.486Z', '2026-11-27T20:15:40.486Z'],
  ])('reads %s', (text, iso) => {
    expect(parseTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2026-13-45 99:99:99 -0500', '2026-11-27'])('rejects %j', (text) => {
    expect(parseTime(text)).toBeUndefined();
  });
});

describe('formatTime', () => {
  it('writes exactly what toISOString() writes, over ±300 years of random times', () => {
    for (let i = 0; i < 100_000; i += 1) {
      const date = new Date(Math.floor((Math.random() - 0.5) * 2e13));
      expect(formatTime(date)).toBe(date.toISOString());
    }
  });

  it('writes the edges: the epoch, leap days, year ends, and years outside four digits', () => {
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '1999-12-31T23:59:59.999Z',
      '2000-03-01T00:00:00.001Z',
    ]) {
      expect(formatTime(new Date(text))).toBe(text);
    }
    for (const ms of [-62_198_755_200_000, 253_402_300_800_000, 8.64e15]) {
      expect(formatTime(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });
});
