import type { Access, Grant } from '../access.js';
import type { ChangeHub } from '../change-hub.js';
import type { ResolvedHandlerOptions } from '../handler-options.js';
import type { Heartbeats } from '../heartbeats.js';
import type { TypicalDurations } from '../typical-durations.js';

/** What every route gets: the request, its parsed URL, the options, and access checking. */
export interface RouteContext {
  readonly request: Request;
  readonly url: URL;
  readonly options: ResolvedHandlerOptions;
  /** The live-change hub; null when the handler has no `changes`. */
  readonly hub: ChangeHub | null;
  /** The handler's one heartbeat timer for its event streams. */
  readonly heartbeats: Heartbeats;
  /** The handler's typical durations: a name is looked up at most every 10 s, however many pages and snapshots show it. */
  readonly typical: TypicalDurations;
  /** Throws a 401/403 `HttpError` unless the request may read `scope` (`null`: the scope list), or take `access` on its jobs. */
  authorize(scope: readonly string[] | null, access?: Access): Promise<Grant>;
}

export type Route = (context: RouteContext) => Promise<Response>;
