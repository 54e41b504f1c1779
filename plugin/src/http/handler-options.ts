import type { Cluster, Redis } from 'ioredis';
import type { ChangeFeed } from '../stores/change-feed.js';
import { expected } from '../core/errors.js';
import { checkInteger, checkObject, checkOptionalFunction } from '../core/validate.js';
import type { JobActor } from '../core/job-actor.js';
import type { Store } from '../stores/store.js';
import type { Authorize } from './access.js';
import { type SigningKey, type TokenSecrets, validateSecrets } from './token.js';

export interface ProgressHandlerOptions {
  /** Where records are read. */
  readonly store: Store;
  /**
   * Who may read what. Without it, only requests with a valid token for exactly their scope are
   * served. Give `authorize`, `tokenSecret`, or both. `null` (or leaving it out) means none.
   * @default null
   */
  readonly authorize?: Authorize | null | undefined;
  /**
   * Verifies `createProgressToken()` tokens: a secret of at least 32 bytes, or a list of them
   * while rotating (each token names the secret that signed it; the first signs). `null` (or
   * leaving it out) refuses every token; `undefined` is accepted so `process.env.X` can be
   * passed as is.
   * @default null
   * @example
   * tokenSecret: [newSecret, previousSecret]
   */
  readonly tokenSecret?: TokenSecrets | null | undefined;
  /**
   * Live changes for `/events`: a `ChangeFeed`, or `{ connection }` to follow what a `RedisStore`
   * publishes (the handler opens ONE duplicate connection for SUBSCRIBE, shared by every
   * viewer, and closes it in `close()`). Without it (`null`), `/events` answers 404.
   * @default null
   * @example
   * changes: { connection: redis } // same prefix as the store: { connection: redis, prefix: 'myapp' }
   */
  readonly changes?:
    | ChangeFeed
    | { readonly connection: Redis | Cluster; readonly prefix?: string }
    | null
    | undefined;
  /**
   * Serves `POST /job/cancel` and `POST /job/retry` through it: a `JobActions` from
   * `progressrus/bullmq`. Each POST must pass the Origin check and be allowed for its action,
   * by a token minted with it (`createProgressToken({ actions: ['cancel'] })`) or by
   * `authorize(request, scope, 'cancel')`. Without it (`null`), those routes answer 404.
   * @default null
   */
  readonly actions?: JobActor | null | undefined;
  /**
   * Origins besides the handler's own from which POSTs are accepted (CSRF protection for
   * cookie-based apps), exactly as browsers send them: `['https://app.example.com']`. Behind a
   * proxy that rewrites the Host, list the public origin here.
   * @default []
   */
  readonly allowedOrigins?: readonly string[];
  /** Where the handler is mounted; request paths start with it. @example '/api/progress' @default '' */
  readonly basePath?: string;
  /** A `: ping` comment on idle event streams this often. @default 15000 */
  readonly heartbeatMs?: number;
  /** The `retry:` sent to EventSource, ms. @default 2000 */
  readonly retryMs?: number;
  /**
   * A viewer that falls this many bytes behind (events queued that its connection has not taken)
   * is dropped: its connection is closed, so one stalled reader never holds memory or slows the
   * others; EventSource reconnects and resumes with Last-Event-ID. Room for a snapshot and a
   * burst of events on a slow link.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxQueuedBytes?: number;
  /** How many recent changes are kept for Last-Event-ID resume. @default 10000 */
  readonly replayLimit?: number;
  /** Show internal error messages in 500 responses (never stacks). @default NODE_ENV !== 'production' */
  readonly exposeErrors?: boolean;
  /** Internal errors (500s, failed reads of a change). @default console.error */
  readonly onError?: (error: Error) => void;
  /** The clock, in ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

export interface ResolvedHandlerOptions {
  readonly store: Store;
  readonly authorize: Authorize | null;
  readonly tokenKeys: readonly SigningKey[] | null;
  readonly changes: NonNullable<ProgressHandlerOptions['changes']> | null;
  readonly actions: JobActor | null;
  readonly allowedOrigins: readonly string[];
  readonly basePath: string;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly maxQueuedBytes: number;
  readonly replayLimit: number;
  readonly exposeErrors: boolean;
  readonly onError: (error: Error) => void;
  readonly now: () => number;
}

/** Applies the defaults once and validates everything, with the library's one message format. */
export function resolveHandlerOptions(options: ProgressHandlerOptions): ResolvedHandlerOptions {
  checkObject('options', options);
  const {
    store,
    authorize = null,
    tokenSecret = null,
    changes = null,
    actions = null,
    allowedOrigins = [],
    basePath = '',
  } = options;
  if (actions !== null && (typeof actions !== 'object' || typeof actions.act !== 'function')) {
    throw expected('actions', 'a JobActor (a JobActions)', actions);
  }
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every(isOrigin)) {
    throw expected(
      'allowedOrigins',
      "an array of origins like 'https://app.example.com'",
      allowedOrigins,
    );
  }
  if (store === null || typeof store !== 'object' || typeof store.scope !== 'function') {
    throw expected('store', 'a Store', store);
  }
  checkOptionalFunction('authorize', authorize);
  if (authorize === null && tokenSecret === null) {
    // Report what the caller passed (usually nothing: `undefined`), not the default it became.
    throw expected(
      'authorize',
      'a function (or `tokenSecret`: a handler with neither would refuse everything)',
      options.authorize,
    );
  }
  if (
    changes !== null &&
    (typeof changes !== 'object' || !('subscribe' in changes || 'connection' in changes))
  ) {
    throw expected('changes', 'a ChangeFeed or { connection }', changes);
  }
  if (
    typeof basePath !== 'string' ||
    (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))
  ) {
    throw expected('basePath', "'' or a path starting with '/' and not ending with '/'", basePath);
  }
  return {
    store,
    authorize,
    tokenKeys: tokenSecret === null ? null : validateSecrets(tokenSecret, 'tokenSecret'),
    changes,
    actions,
    allowedOrigins,
    basePath,
    heartbeatMs: checkInteger('heartbeatMs', options.heartbeatMs ?? 15_000),
    retryMs: checkInteger('retryMs', options.retryMs ?? 2000),
    maxQueuedBytes: checkInteger('maxQueuedBytes', options.maxQueuedBytes ?? 1_048_576),
    replayLimit: checkInteger('replayLimit', options.replayLimit ?? 10_000),
    exposeErrors: options.exposeErrors ?? globalThis.process?.env?.NODE_ENV !== 'production',
    onError:
      checkOptionalFunction('onError', options.onError) ??
      ((error) => console.error('[progressrus] http handler:', error)),
    now: checkOptionalFunction('now', options.now) ?? Date.now,
  };
}

/** `https://app.example.com`, as a browser sends it in `Origin`: scheme, host, port, nothing else. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}
