import type { Queue } from 'bullmq';

/** How far a waiting job is from its start, computed on read from BullMQ's own keys. */
export interface QueuePosition {
  /** The set that holds the job: BullMQ's wait list (or paused list), prioritized or delayed set. */
  readonly state: 'waiting' | 'prioritized' | 'delayed';
  /**
   * 1 for the job a worker takes next. A prioritized job counts every waiting job (BullMQ takes
   * the wait list first); a delayed job counts the delayed jobs due before it.
   */
  readonly position: number;
  /** Jobs of the queue finished (completed or failed) per second lately; null when none finished. */
  readonly ratePerSecond: number | null;
  /** For a delayed job, when its delay ends (ms since the epoch); null otherwise. */
  readonly delayedUntilMs: number | null;
  /**
   * When the job should start (ms since the epoch): `position` more jobs finishing at
   * `ratePerSecond` (after the delay, for a delayed job); null when nothing finished lately.
   */
  readonly expectedStartMs: number | null;
}

/** The window the queue's pace is measured over. */
export const PACE_WINDOW_MS = 5 * 60_000;

/** BullMQ puts a 12-bit counter below the timestamp in delayed scores (getDelayedScore.lua). */
const DELAYED_SCORE_SHIFT = 0x1000;

/**
 * Where a job waits in its queue and when it should start, or null when it is not waiting
 * (active, finished, waiting for children, or gone). One MULTI on the queue's connection:
 * LPOS in the wait (or paused) list, counted from the right end that workers pop (RPOPLPUSH
 * in moveToActive.lua), ZRANK in the prioritized set (taken only once the wait list is empty)
 * or the delayed set, and the queue's pace.
 *
 * The pace: jobs finished in the last 5 minutes ÷ the time since the first of them (BullMQ
 * scores its completed and failed sets by `finishedOn`), so a queue that began 30 s ago is
 * not read as 10 times slower; ZCOUNT and one ZRANGEBYSCORE, O(log n) however busy the
 * queue. It needs finished jobs kept for the window: with `removeOnComplete: true` it counts
 * only failures, and the expected start is null when nothing finished. Linear on purpose:
 * a queue's throughput is set by its workers' concurrency, which the pace already reflects.
 *
 * @example
 * const where = await queuePosition(queue, job.id);
 * // { state: 'waiting', position: 3, ratePerSecond: 0.075, expectedStartMs: … } → "3rd in queue · ~40 s"
 */
export async function queuePosition(
  queue: Queue,
  jobId: string,
  nowMs: number = Date.now(),
): Promise<QueuePosition | null> {
  const client = await queue.getBackend().client;
  const keys = queue.keys as Record<string, string>;
  const since = nowMs - PACE_WINDOW_MS;
  // runCommand: BullMQ's client interface declares only the commands BullMQ itself pipelines.
  const replies = await client
    .multi()
    .runCommand('lpos', [keys.wait, jobId])
    .runCommand('llen', [keys.wait])
    .runCommand('lpos', [keys.paused, jobId])
    .runCommand('llen', [keys.paused])
    .runCommand('zrank', [keys.prioritized, jobId])
    .runCommand('zrank', [keys.delayed, jobId])
    .runCommand('zscore', [keys.delayed, jobId])
    .runCommand('zcount', [keys.completed, since, '+inf'])
    .runCommand('zcount', [keys.failed, since, '+inf'])
    .runCommand('zrangebyscore', [keys.completed, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1])
    .runCommand('zrangebyscore', [keys.failed, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1])
    .exec();
  if (replies === null) return null;
  const values = replies.map(([error, value]) => {
    if (error) throw error;
    return value as unknown;
  });
  const [waitAt, waitLength, pausedAt, pausedLength, prioritizedRank, delayedRank, delayedScore] = values as [
    number | null,
    number,
    number | null,
    number,
    number | null,
    number | null,
    string | null,
  ];
  const [completed, failed, firstCompleted, firstFailed] = values.slice(7) as [number, number, string[], string[]];
  const ratePerSecond = paceOf(completed + failed, [firstCompleted[1], firstFailed[1]], nowMs);
  const expected = (position: number, fromMs: number) =>
    ratePerSecond === null ? null : Math.round(fromMs + (position / ratePerSecond) * 1000);
  if (waitAt !== null || pausedAt !== null) {
    const position = waitAt !== null ? waitLength - waitAt : pausedLength - (pausedAt as number);
    return { state: 'waiting', position, ratePerSecond, delayedUntilMs: null, expectedStartMs: expected(position, nowMs) };
  }
  if (prioritizedRank !== null) {
    const position = waitLength + pausedLength + prioritizedRank + 1;
    return { state: 'prioritized', position, ratePerSecond, delayedUntilMs: null, expectedStartMs: expected(position, nowMs) };
  }
  if (delayedRank !== null && delayedScore !== null) {
    const delayedUntilMs = Math.floor(Number(delayedScore) / DELAYED_SCORE_SHIFT);
    // Once due, it joins the back of the wait list: the jobs still waiting then go first
    // (today's backlog less what the pace finishes meanwhile).
    const startMs = Math.max(nowMs, delayedUntilMs);
    const backlog = waitLength + pausedLength - ((startMs - nowMs) / 1000) * (ratePerSecond ?? 0);
    return {
      state: 'delayed',
      position: delayedRank + 1,
      ratePerSecond,
      delayedUntilMs,
      expectedStartMs: expected(Math.max(0, backlog) + 1, startMs),
    };
  }
  return null;
}

/** Jobs per second from `finished` jobs since the earliest of `firsts` (finishedOn scores). */
function paceOf(finished: number, firsts: readonly (string | undefined)[], nowMs: number): number | null {
  if (finished === 0) return null;
  const earliest = Math.min(...firsts.filter((first) => first !== undefined).map(Number));
  // At least one second: a burst that just finished is not read as an infinite pace.
  const spanMs = Math.max(1000, nowMs - earliest);
  return finished / (spanMs / 1000);
}
