import type { JobDTO, PageDTO } from '../../core/dto.js';
import type { TypicalDurations } from '../typical-durations.js';
import { expected } from '../../core/errors.js';
import type { ChangeHub, HubEvent, Viewer } from '../change-hub.js';
import { HttpError } from '../http-error.js';
import { type EventsParams, parseEventsQuery } from '../query.js';
import { compareEventIds, type EventId, formatEventId, parseEventId } from '../replay-log.js';
import { nodeSinkFor } from '../node-sse-sink.js';
import {
  encodeEvent,
  SSE_HEADERS,
  type SseSink,
  SseStream,
  type SseStreamOptions,
} from '../sse-stream.js';
import { WebSseSink } from '../web-sse-sink.js';
import type { RouteContext, Route } from './route.js';

/**
 * `GET /events?scope=[&id=]`: a snapshot — a scope's first page and counts, or the one job —
 * (or, with Last-Event-ID, the changes since), then a `job` or `removed` event per change. The viewer joins the hub BEFORE reading, and events at
 * or before what the read covers are dropped, so nothing falls between the read and the feed.
 */
export const streamEvents: Route = async (context) => {
  const { request, url, hub, heartbeats, authorize, options, typical } = context;
  const params = parseEventsQuery(url.searchParams, request.headers.get('last-event-id'));
  const after = params.lastEventId === null ? null : parseEventId(params.lastEventId);
  if (params.lastEventId !== null && after === null) {
    throw new HttpError(
      'bad_request',
      expected('Last-Event-ID', 'an event id sent by this API', params.lastEventId).message,
    );
  }
  const grant = await authorize(params.scope);
  if (hub === null)
    throw new HttpError(
      'not_found',
      'Live events are off: create the handler with the `changes` option',
    );
  await hub.ready();

  const node = nodeSinkFor(request);
  const sink = node ?? new WebSseSink(request.signal);
  const viewer = new LiveViewer(hub, sink, params, {
    heartbeats,
    retryMs: options.retryMs,
    maxQueuedBytes: options.maxQueuedBytes,
    endAtMs: grant.expiresAt?.getTime() ?? null,
    now: options.now,
  });
  // The request may have been aborted while we waited: the stream is then closed already.
  if (!viewer.stream.closed) {
    hub.add(viewer);
    // The callbacks below live until the snapshot is sent: they keep `onError`, the viewer and
    // the store, never the request or the context.
    const { onError } = options;
    start(options.store, typical, hub, params, after, viewer.stream).then(
      (base) => viewer.cover(base),
      (error: unknown) => {
        onError(error as Error);
        viewer.close();
      },
    );
  }
  // Through the Node adapter this Response's head is sent, and the stream goes straight to
  // Node's response after it.
  return node === null
    ? (sink as WebSseSink).response()
    : new Response(null, { headers: SSE_HEADERS });
};

/**
 * One open event stream in the hub. Events that arrive before its snapshot or replay was sent
 * wait; then only those after what the snapshot covers go out, so nothing falls between the read
 * and the feed and nothing is sent twice. What it holds lives as long as the viewer watches:
 * kept to the stream, its scope and two fields.
 */
class LiveViewer implements Viewer {
  readonly scope: string;
  readonly recordId: string | null;
  readonly stream: SseStream;
  #covered: EventId | null = null;
  #early: HubEvent[] | null = [];

  constructor(
    hub: ChangeHub,
    sink: SseSink,
    { scope, id }: EventsParams,
    options: Omit<SseStreamOptions, 'onClose'>,
  ) {
    this.scope = scope.join(':');
    this.recordId = id;
    this.stream = new SseStream(sink, { ...options, onClose: () => hub.delete(this) });
  }

  send(event: HubEvent): void {
    if (this.#covered === null) this.#early?.push(event);
    else if (compareEventIds(event.id, this.#covered) > 0) emit(this.stream, event);
  }

  /** The snapshot or replay went out, current up to `base`: the events held back follow. */
  cover(base: EventId): void {
    this.#covered = base;
    const early = this.#early ?? [];
    this.#early = null;
    for (const event of early) this.send(event);
  }

  close(): void {
    this.stream.close();
  }
}

/** Sends the replay or the snapshot; returns the id it is current up to. */
async function start(
  store: RouteContext['options']['store'],
  typical: TypicalDurations,
  hub: ChangeHub,
  { scope, id }: EventsParams,
  after: EventId | null,
  stream: SseStream,
): Promise<EventId> {
  const base = hub.current();
  const replay = after === null ? null : await hub.replay(scope.join(':'), id, after);
  if (replay !== null) {
    for (const event of replay) emit(stream, event);
    return base;
  }
  // A scope's snapshot is its first page and its counts, never the whole scope: viewers
  // fetch later pages from `GET /jobs`, and live events keep what they hold current.
  if (id === null) {
    const page = await store.jobs(scope);
    stream.send('snapshot', await typical.page(page), formatEventId(base));
    return base;
  }
  const tick = await store.find(scope, id);
  const snapshot: PageDTO<JobDTO> = {
    items: tick === null ? [] : [await typical.dto(tick)],
    nextCursor: null,
  };
  stream.send('snapshot', snapshot, formatEventId(base));
  return base;
}

// A hub event goes to every viewer of its scope: serialized and encoded once, not per viewer.
const encoded = new WeakMap<HubEvent, Uint8Array>();

function emit(stream: SseStream, event: HubEvent): void {
  let chunk = encoded.get(event);
  if (chunk === undefined) {
    chunk =
      event.type === 'job'
        ? encodeEvent('job', event.job, formatEventId(event.id))
        : encodeEvent('removed', { id: event.recordId }, formatEventId(event.id));
    encoded.set(event, chunk);
  }
  stream.write(chunk);
}
