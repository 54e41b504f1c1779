import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { encodeRecord, type WireFormat } from '../src/core/codec.js';
import { type ProgressRecord, RedisStore } from '../src/index.js';
import { connectRedis, monitorCommands, uniquePrefix } from './helpers.js';

const redis = connectRedis();
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const QUEUE = 'imports';
const NO_PARAMS = Object.freeze({});

/** A queued record as ProgressQueue builds it: the id is `<queue>:<job id>`. */
function queued(
  jobId: string,
  scope: readonly string[],
  total: number | null,
  overrides: Partial<ProgressRecord> = {},
): ProgressRecord {
  return {
    id: `${QUEUE}:${jobId}`,
    name: 'import',
    scope,
    startedAt: null,
    completedAt: null,
    failedAt: null,
    expiresAt: new Date(T0 + 7 * 86_400_000),
    count: 0,
    total,
    params: NO_PARAMS,
    errorCount: 0,
    updatedAt: new Date(T0),
    ratePerSecond: null,
    intervalMs: 2000,
    state: 'queued',
    errorMessage: null,
    queue: QUEUE,
    jobId,
    attempt: null,
    actions: [],
    history: [],
    ...overrides,
  };
}

/** Another value for every field of a record: the test below fails to compile when a field is added and not listed. */
const OTHER: { readonly [K in keyof Required<ProgressRecord>]: ProgressRecord[K] } = {
  id: 'elsewhere:x-1',
  name: 'export ✓',
  scope: ['team', '7'],
  startedAt: new Date(T0 - 1000),
  completedAt: new Date(T0 + 5000),
  failedAt: new Date(T0 + 6000),
  expiresAt: null,
  count: 3,
  total: 0,
  params: { file: 'a.csv' },
  errorCount: 2,
  updatedAt: new Date(T0 + 1000),
  ratePerSecond: 1.5,
  intervalMs: 500,
  state: 'delayed',
  errorMessage: 'boom',
  queue: 'other-queue',
  jobId: 'not-the-tail',
  attempt: 2,
  actions: [{ action: 'cancel', at: new Date(T0) }],
  history: [{ at: new Date(T0 + 1000), count: 3, retry: false }],
};

/** Everything a store keeps in Redis for these scopes: values, index entries, counters, the global entries. */
async function dump(
  store: RedisStore,
  prefix: string,
  scopes: readonly (readonly string[])[],
): Promise<Record<string, unknown>> {
  const keys = new Set([store.keys.scopes, store.keys.names, store.keys.expiries]);
  for (const scope of scopes) for (const key of store.keys.of(scope.join(':')).block) keys.add(key);
  const content: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    const name = key.split(prefix).join('P');
    if (type === 'hash') content[name] = await redis.hgetall(key);
    else if (type === 'zset') content[name] = await redis.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'set') content[name] = (await redis.smembers(key)).sort();
    else if (type !== 'none') content[name] = type;
  }
  return content;
}

/** The { scope, id } pairs a store publishes while `write` runs, sorted. */
async function published(store: RedisStore, write: () => Promise<unknown>): Promise<string[]> {
  const subscriber = new Redis(inject('redisUrl'));
  const changes: string[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    for (const change of JSON.parse(message) as unknown[]) changes.push(JSON.stringify(change));
  });
  await subscriber.subscribe(store.keys.changes);
  await write();
  // A message published before the write resolved arrives before this reply.
  await subscriber.ping();
  subscriber.disconnect();
  return changes.sort();
}

/** Writes `records` with persistNew into one store and with persist into another: both must hold the same. */
async function expectSameAsPersist(
  records: readonly ProgressRecord[],
  format: WireFormat = 'default',
): Promise<void> {
  const [inserting, writing] = [uniquePrefix('insert'), uniquePrefix('persist')];
  // The clock at T0: a write's sweep would remove records already past their expiry.
  const inserted = new RedisStore({ connection: redis, prefix: inserting, format, now: () => T0 });
  const persisted = new RedisStore({ connection: redis, prefix: writing, format, now: () => T0 });
  const insertedChanges = await published(inserted, () => inserted.persistNew(records));
  const persistedChanges = await published(persisted, () =>
    Promise.all(records.map((record) => persisted.persist(record))),
  );
  const scopes = [
    ...new Map(records.map((record) => [record.scope.join(':'), record.scope])).values(),
  ];
  const stored = await dump(inserted, inserting, scopes);
  expect(Object.keys(stored).length).toBeGreaterThan(3);
  expect(stored).toEqual(await dump(persisted, writing, scopes));
  expect(insertedChanges).toEqual(persistedChanges);
  expect(insertedChanges).toHaveLength(
    new Set(records.map((record) => `${record.scope.join(':')}\n${record.id}`)).size,
  );
}

describe('RedisStore.persistNew', () => {
  it('stores the queued records of an addBulk byte for byte as persist does, with the same index entries, counters and changes', async () => {
    const records: ProgressRecord[] = [];
    for (let i = 0; i < 600; i += 1) {
      const state = i % 7 === 0 ? 'delayed' : i % 11 === 0 ? 'prioritized' : 'queued';
      const total = i % 13 === 0 ? null : i % 17 === 0 ? 0 : 1000 + i;
      records.push(queued(`job-${i}`, ['user', String(i % 5)], total, { state }));
    }
    // Ids JSON escapes or that take more bytes than characters, a job id that is not the id's
    // tail, params, and one scope key from two scopes: each written with its whole value.
    records.push(
      queued('ü\tid\nwith ✓ lines', ['user', '1'], 5),
      queued('a"quote\\and backslash', ['user', '2'], 6),
      queued('own', ['user', '3'], 7, { id: 'custom-record-id' }),
      queued('params', ['user', '4'], 8, { params: { file: 'a.csv' } }),
      queued('colon', ['user:0'], 9),
    );
    await expectSameAsPersist(records);
  });

  it('sends a record that fits its batch as a line of its id and total, not as its value', async () => {
    const store = new RedisStore({
      connection: redis,
      prefix: uniquePrefix('lines'),
      now: () => T0,
    });
    const records = Array.from({ length: 1000 }, (_, i) =>
      queued(`line-${i}`, ['user', String(i % 10)], i),
    );
    const monitor = await monitorCommands(
      (args, source) => source !== 'lua' && args[0]?.toLowerCase() === 'evalsha',
    );
    await store.persistNew(records);
    await redis.ping();
    await monitor.stop();
    const sent = monitor
      .commands()
      .reduce((sum, args) => sum + args.reduce((bytes, arg) => bytes + arg.length, 0), 0);
    const values = records.reduce((sum, record) => sum + encodeRecord(record, 'default').length, 0);
    expect(monitor.count()).toBeGreaterThan(0);
    // A line of ~25 bytes and a change of ~45 per record, against ~370 for its value; with
    // the keys of each scope once. Whole values would send more than all the values.
    expect(sent).toBeLessThan(values / 2);
    expect((await store.find(['user', 7], `${QUEUE}:line-997`))?.total).toBe(997);
  });

  it('stores a scope’s records with a few commands of the script, not one per record', async () => {
    const prefix = uniquePrefix('commands');
    const store = new RedisStore({ connection: redis, prefix, now: () => T0 });
    const records = Array.from({ length: 1000 }, (_, i) =>
      queued(`c-${i}`, ['user', String(i % 10)], 1000 + i),
    );
    const monitor = await monitorCommands(
      (args, source) => source === 'lua' && (args[1] ?? '').includes(prefix),
    );
    await store.persistNew(records);
    const named = (name: string) =>
      monitor.commands().filter((args) => args[0]?.toLowerCase() === name);
    // MONITOR's lines come on their own connection: until the script's last command, PUBLISH.
    await vi.waitFor(() => expect(named('publish')).toHaveLength(1));
    await monitor.stop();
    expect(named('hsetnx')).toEqual([]);
    // Per new scope of 100 records: two HMGETs (ids, pattern), two HSETs (values, pattern), a
    // ZADD per set (4) and per global index (3) and an HINCRBY; and the call's PUBLISH.
    expect(monitor.count()).toBe(10 * 12 + 1);
    expect(Math.max(...named('hset').map((args) => args.length))).toBe(2 + 2 * 100);
    expect(await store.jobs(['user', 7])).toMatchObject({ total: 100 });
  });

  it('writes records whose fields hold the text of a template hole as persist does', async () => {
    const odd = (i: number, overrides: Partial<ProgressRecord>) =>
      Array.from({ length: 4 }, (_, j) => queued(`odd-${i}-${j}`, ['user', '1'], j, overrides));
    await expectSameAsPersist([
      ...odd(1, { name: '\u0000id\u0000' }),
      ...odd(2, { name: 'a \u0000job\u0000' }),
      ...odd(3, { params: { total: '\u0000total\u0000', scope: ['\u0000scope\u0000'] } }),
    ]);
  });

  it('writes the Ruby format byte for byte as persist does', async () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      queued(`r-${i}`, ['user', String(i % 3)], i % 4 === 0 ? null : i),
    );
    await expectSameAsPersist(records, 'ruby');
  });

  it('writes the records of a scope that fill several commands of the script as persist does', async () => {
    // 1,000 records of one scope in one call: the HMGET, HSET and ZADDs go in slices.
    const records = Array.from({ length: 1000 }, (_, i) => queued(`many-${i}`, ['user', '1'], i));
    await expectSameAsPersist(records);
  });

  it('keeps the first of two records with one id in a call, counted once', async () => {
    const store = new RedisStore({ connection: redis, prefix: uniquePrefix('twice'), now: () => T0 });
    // The second one does not fit the template (its params): it goes with its whole value,
    // after the lines, and is not stored over the first.
    await store.persistNew([
      queued('twice', ['user', '1'], 1),
      queued('other', ['user', '1'], 2),
      queued('twice', ['user', '1'], 3, { params: { file: 'a.csv' } }),
      queued('twice', ['user', '1'], 4),
    ]);
    const page = await store.jobs(['user', '1']);
    expect(page.counts.queued).toBe(2);
    expect(page.items.map((tick) => [tick.id, tick.total])).toEqual([
      [`${QUEUE}:twice`, 1],
      [`${QUEUE}:other`, 2],
    ]);
  });

  it('writes a record that differs from the others in any one field as persist does', async () => {
    for (const [field, value] of Object.entries(OTHER)) {
      const base = Array.from({ length: 3 }, (_, i) => queued(`same-${i}`, ['user', '1'], 10 + i));
      const different = { ...queued('different', ['user', '1'], 20), [field]: value };
      await expectSameAsPersist([...base, different, queued('after', ['user', '1'], 30)]);
    }
  });
});
