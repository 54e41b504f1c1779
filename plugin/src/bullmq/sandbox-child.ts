/**
 * Loaded by BullMQ's child process in place of a sandboxed processor file (see
 * `sandboxChildUrl`): it loads that file, whose URL is in this module's `processor` query
 * parameter, and calls its default export as `(job, progress, token, signal)`.
 */
import { ProgressrusError } from '../core/errors.js';
import { Progresser } from '../core/progresser.js';
import { RELAY_FIELD, type RelayIdentity, RelayStore } from './sandbox-relay.js';

type SandboxedJob = {
  [RELAY_FIELD]?: RelayIdentity;
  updateProgress(value: unknown): Promise<void>;
};
type SandboxedProcessor = (
  job: SandboxedJob,
  progress: Progresser,
  token?: string,
  signal?: AbortSignal,
) => unknown;

const processorUrl = new URL(import.meta.url).searchParams.get('processor');
if (processorUrl === null)
  throw new ProgressrusError('progressrus: the sandbox module was loaded without a `processor` parameter');
const loaded = (await import(processorUrl)) as { default?: unknown };
// A CommonJS file's `module.exports` arrives as `default`; an ES module compiled to CommonJS nests one more.
const exported = loaded.default as { default?: unknown } | undefined;
const processor = (typeof exported === 'function' ? exported : exported?.default) as
  | SandboxedProcessor
  | undefined;
if (typeof processor !== 'function')
  throw new ProgressrusError(`No function is exported in processor file ${processorUrl}`);

export default async function progressrusSandboxedProcessor(
  job: SandboxedJob,
  token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const identity = job[RELAY_FIELD];
  delete job[RELAY_FIELD];
  if (identity === undefined)
    throw new ProgressrusError(
      'progressrus: a sandboxed processor of a ProgressWorker received a job without its record',
    );
  const progress = new Progresser({ ...identity, store: new RelayStore(job) });
  try {
    return await (processor as SandboxedProcessor)(job, progress, token, signal);
  } finally {
    // The last counts reach the worker before BullMQ's "completed" or "failed" message does.
    await progress.flush();
  }
}
