import { DelayedError, type Job, WaitingChildrenError } from 'bullmq';
import type { Progresser } from 'progressrus';
import type { DemoJobData } from './job-plan.js';
import { rateFactor } from './rate-shape.js';

/** Work is simulated in steps of this length: a handful of ticks per second per job. */
const STEP_MS = 250;

/**
 * Sleeps, unless the demo is stopping: then it never resolves and holds no timer, so a job
 * cut off by Ctrl-C simply stops, as it would in a killed process, and never keeps the process
 * alive. BullMQ picks such a job up again (stalled) at the next start. A cancel of the job
 * (`cancel`, BullMQ's signal for it) ends the sleep early, so the job stops at once.
 */
function sleep(ms: number, stop: AbortSignal, cancel?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return;
    if (cancel?.aborted) return resolve();
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      cancel?.removeEventListener('abort', onCancel);
      resolve();
    }, ms);
    const onStop = () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    };
    const onCancel = () => {
      onStop();
      stop.removeEventListener('abort', onStop);
      resolve();
    };
    stop.addEventListener('abort', onStop, { once: true });
    cancel?.addEventListener('abort', onCancel, { once: true });
  });
}

/** Adds a child job to the running `parent`, in the parent's queue. */
export type AddChild = (
  parent: Job<DemoJobData>,
  name: string,
  data: DemoJobData,
) => Promise<unknown>;

/**
 * The demo's processor: runs the plan in `job.data` against a Progresser, the way real work
 * would — ticking as items get done, setting a total found out late, pausing, failing — and
 * stopping between two steps when the job is cancelled (BullMQ's `signal`, from the admin's or
 * the portal's Cancel): the record then ends `cancelled`.
 */
export function demoProcessor(stop: AbortSignal, addChild: AddChild) {
  return async (
    job: Job<DemoJobData>,
    progress: Progresser,
    token?: string,
    signal?: AbortSignal,
  ): Promise<{ items: number }> => {
    const data = job.data;
    if (data.delayFirstMs > 0) {
      // Like a job waiting for a provider's window: back to BullMQ's delayed set, once.
      await job.updateData({ ...data, delayFirstMs: 0 });
      await job.moveToDelayed(Date.now() + data.delayFirstMs, token);
      throw new DelayedError();
    }
    if (data.children.length > 0 && token) {
      if (!data.childrenAdded) {
        // Split the work into child jobs, then wait for them: BullMQ runs this job again when they are done.
        for (const child of data.children) await addChild(job, child.name, child.data);
        await job.updateData({ ...data, childrenAdded: true });
      }
      if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    }
    if (data.prepareMs > 0) await sleep(data.prepareMs, stop, signal);
    signal?.throwIfAborted();

    const startedAt = Date.now();
    const attempt = job.attemptsMade + 1;
    let done = 0;
    let carry = 0;
    let stalled = false;
    while (done < data.items) {
      await sleep(STEP_MS, stop, signal);
      signal?.throwIfAborted();
      const fraction = done / data.items;
      carry +=
        data.ratePerSecond *
        rateFactor(data.shape, fraction, Date.now() - startedAt) *
        (STEP_MS / 1000);
      const step = Math.min(data.items - done, Math.floor(carry));
      carry -= step;
      done += step;
      if (step > 0) progress.tick(step);
      if (data.totalKnown === 'late' && progress.total === null && fraction >= 0.1)
        progress.total = data.items;
      if (data.failure && attempt <= data.failure.attempts && fraction >= data.failure.at) {
        throw new Error(data.failure.message);
      }
      if (data.stall && !stalled && fraction >= data.stall.at) {
        stalled = true;
        await sleep(data.stall.ms, stop, signal);
      }
    }
    return { items: done };
  };
}
