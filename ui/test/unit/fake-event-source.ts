import type { EventSourceLike } from '../../src/progress-options.js';

/**
 * A test double of the browser's EventSource (happy-dom has none that can reach a server):
 * records the URLs it was opened with and lets the test play the server's side.
 */
export class FakeEventSource implements EventSourceLike {
  static readonly instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  readyState = FakeEventSource.CONNECTING;
  readonly url: string;
  readonly #listeners = new Map<string, Array<(event: MessageEvent) => void>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  static reset(): void {
    FakeEventSource.instances.length = 0;
  }

  /** The most recently created instance. */
  static last(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (!last) throw new Error('No EventSource was created');
    return last;
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener);
    this.#listeners.set(type, list);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  get closed(): boolean {
    return this.readyState === FakeEventSource.CLOSED;
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.#dispatch('open', new MessageEvent('open'));
  }

  /** A named event as the server would send it: `event: <type>`, `id: <id>`, `data: <json>`. */
  emit(type: string, data: unknown, id = ''): void {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    this.#dispatch(type, new MessageEvent(type, { data: payload, lastEventId: id }));
  }

  /** A network failure the browser retries by itself (readyState CONNECTING). */
  drop(): void {
    this.readyState = FakeEventSource.CONNECTING;
    this.#dispatch('error', new MessageEvent('error'));
  }

  /** The server answered with an HTTP error: the browser gives up (readyState CLOSED). */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.#dispatch('error', new MessageEvent('error'));
  }

  #dispatch(type: string, event: MessageEvent): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}
