/** What the `viewers` bench's parent asks its child processes. */
export type ParentCommand =
  | { readonly type: 'measure' }
  | { readonly type: 'connect'; readonly port: number; readonly scopes: readonly string[] }
  | { readonly type: 'start' }
  | { readonly type: 'report' }
  | { readonly type: 'stop' };

/** What the children answer. */
export type ChildReport =
  | { readonly type: 'ready'; readonly port?: number }
  | {
      readonly type: 'measured';
      readonly rssBytes: number;
      readonly heapUsedBytes: number;
      readonly heapTotalBytes: number;
      readonly newSpaceBytes: number;
      readonly externalBytes: number;
      readonly cpuMicros: number;
      readonly viewers: number;
    }
  | { readonly type: 'connected'; readonly viewers: number; readonly failed: number }
  | {
      readonly type: 'latencies';
      /** Write-to-viewer latency of each `job` event received since `start`, ms. */
      readonly latenciesMs: readonly number[];
      readonly events: number;
      /** Viewers whose stream ended or failed since they connected. */
      readonly lost: number;
      readonly unparsed: number;
    };
