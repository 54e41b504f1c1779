import { describe, expect, it } from 'vitest';
import { ChangeHub, type HubEvent, type Viewer } from '../../src/http/change-hub.js';
import { TypicalDurations } from '../../src/http/typical-durations.js';
import { LocalChangeFeed } from '../../src/http/index.js';
import { MemoryStore, Progresser, type Scope, type Tick } from '../../src/index.js';

/** A MemoryStore that counts `find()` calls per record. */
class CountingStore extends MemoryStore {
  readonly finds = new Map<string, number>();
  override async find(scope: Scope, id: string): Promise<Tick | null> {
    this.finds.set(id, (this.finds.get(id) ?? 0) + 1);
    return super.find(scope, id);
  }
}

function viewer(scope: string, recordId: string | null = null): Viewer & { received: HubEvent[] } {
  const received: HubEvent[] = [];
  return { scope, recordId, received, send: (event) => received.push(event), close: () => {} };
}

async function setup() {
  const feed = new LocalChangeFeed();
  const base = new CountingStore();
  const store = feed.track(base);
  const hub = new ChangeHub({
    store,
    feed,
    typical: new TypicalDurations(store),
    replayLimit: 100,
    now: Date.now,
    onError: (error) => {
      throw error;
    },
  });
  await hub.ready();
  return { feed, base, store, hub };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ChangeHub', () => {
  it('coalesces a burst of changes to one record into one read', async () => {
    const { feed, base, store, hub } = await setup();
    await new Progresser({ scope: ['user', 1], id: 'a', total: 10, store, persist: true }).flush();
    const watcher = viewer('user:1');
    hub.add(watcher);
    base.finds.clear();
    for (let i = 0; i < 50; i += 1) feed.publish({ scope: 'user:1', id: 'a' });
    await settle();
    expect(base.finds.get('a')).toBe(1);
    expect(watcher.received).toHaveLength(1);
  });

  it('reads each of 50 records changed in one tick once, for any number of viewers', async () => {
    const { feed, base, hub } = await setup();
    const watchers = [viewer('user:1'), viewer('user:1'), viewer('user:1')];
    for (const watcher of watchers) hub.add(watcher);
    for (let i = 0; i < 50; i += 1) feed.publish({ scope: 'user:1', id: `r${i}` });
    await settle();
    expect([...base.finds.values()]).toEqual(Array(50).fill(1));
    for (const watcher of watchers) expect(watcher.received).toHaveLength(50);
  });

  it('sends removed when the changed record is gone, and only to viewers of it', async () => {
    const { store, hub } = await setup();
    await new Progresser({ scope: ['user', 1], id: 'a', total: 10, store, persist: true }).flush();
    const all = viewer('user:1');
    const onlyB = viewer('user:1', 'b');
    const otherScope = viewer('user:2');
    for (const watcher of [all, onlyB, otherScope]) hub.add(watcher);
    await store.delete(['user', 1], 'a');
    await settle();
    expect(all.received).toMatchObject([{ type: 'removed', recordId: 'a' }]);
    expect(onlyB.received).toEqual([]);
    expect(otherScope.received).toEqual([]);
  });

  it('reads nothing for scopes nobody watches, yet remembers them for replay', async () => {
    const { feed, base, hub } = await setup();
    const before = hub.current();
    feed.publish({ scope: 'user:9', id: 'x' });
    feed.publish({ scope: 'user:9', id: 'y' });
    feed.publish({ scope: 'user:9', id: 'x' });
    await settle();
    expect(base.finds.size).toBe(0);
    const replay = await hub.replay('user:9', null, before);
    expect(replay?.map((event) => (event.type === 'removed' ? event.recordId : null))).toEqual([
      'y',
      'x',
    ]);
  });

  it('cannot replay from before it started listening', async () => {
    const { hub } = await setup();
    expect(await hub.replay('user:1', null, { ms: 1, seq: 0 })).toBeNull();
  });

  it('cannot replay once the changes after the id were evicted', async () => {
    const feed = new LocalChangeFeed();
    const store = new MemoryStore();
    const hub = new ChangeHub({
      store,
      feed,
      typical: new TypicalDurations(store),
      replayLimit: 3,
      now: Date.now,
      onError: () => {},
    });
    await hub.ready();
    const start = hub.current();
    for (let i = 0; i < 3; i += 1) feed.publish({ scope: 'user:1', id: `r${i}` });
    expect(await hub.replay('user:1', null, start)).toHaveLength(3);
    feed.publish({ scope: 'user:1', id: 'r3' });
    expect(await hub.replay('user:1', null, start)).toBeNull();
  });

  it('closes its viewers on close()', async () => {
    const { hub } = await setup();
    let closed = 0;
    hub.add({ ...viewer('user:1'), close: () => closed++ });
    await hub.close();
    await hub.close();
    expect(closed).toBe(1);
    expect(hub.size).toBe(0);
  });
});
