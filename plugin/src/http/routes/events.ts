import type { JobDTO, PageDTO } from '../../core/dto.js';
import { TypicalDurations } from '../typical-durations.js';
import { expected } from '../../core/errors.js';
import type { ChangeHub, HubEvent, Viewer } from '../change-hub.js';
import { HttpError } from '../http-error.js';
import { type EventsParams, parseEventsQuery } from '../query.js';
import { compareEventIds, type EventId, formatEventId, parseEventId } from '../replay-log.js';
import { encodeEvent, SseStream } from '../sse-stream.js';
import type { RouteContext, Route } from './route.js';

/**
 * `GET /events?scope=[&id=]`: a snapshot — a scope's first page and counts, or the one job —
 * (or, with Last-Event-ID, the changes since), then a `job` or `removed` event per change. The viewer joins the hub BEFORE reading, and events at
 * or before what the read covers are dropped, so nothing falls between the read and the feed.
 */
export const streamEvents: Route = async (context) => {
  const { request, url, hub, heartbeats, authorize, options } = context;
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

  let covered: EventId | null = null;
  const early: HubEvent[] = [];
  const viewer: Viewer = {
    scope: params.scope.join(':'),
    recordId: params.id,
    send(event) {
      if (covered === null) early.push(event);
      else if (compareEventIds(event.id, covered) > 0) emit(stream, event);
    },
    close: () => stream.close(),
  };
  const stream = new SseStream({
    heartbeats,
    retryMs: options.retryMs,
    maxQueuedBytes: options.maxQueuedBytes,
    signal: request.signal,
    endAtMs: grant.expiresAt?.getTime() ?? null,
    now: options.now,
    onClose: () => hub.delete(viewer),
  });
  // The request may have been aborted while we waited: the stream is then closed already.
  if (stream.closed) return stream.response();
  hub.add(viewer);
  // The closures below live as long as the stream: they keep `onError`, never the request or
  // the context (kilobytes per viewer, times thousands of viewers).
  const { onError } = options;
  start(options, hub, params, after, stream).then(
    (base) => {
      covered = base;
      for (const event of early.splice(0)) viewer.send(event);
    },
    (error: unknown) => {
      onError(error as Error);
      stream.close();
    },
  );
  return stream.response();
};

/** Sends the replay or the snapshot; returns the id it is current up to. */
async function start(
  options: RouteContext['options'],
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
  const typical = new TypicalDurations(options.store);
  if (id === null) {
    const page = await options.store.jobs(scope);
    stream.send('snapshot', await typical.page(page), formatEventId(base));
    return base;
  }
  const tick = await options.store.find(scope, id);
  const snapshot: PageDTO<JobDTO> = { items: tick === null ? [] : [await typical.dto(tick)], nextCursor: null };
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
