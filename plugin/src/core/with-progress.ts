import { ProgressrusError } from './errors.js';
import type { ProgresserOptions } from './progresser-options.js';
import { Progresser } from './progresser.js';

/**
 * Wraps a sync or async iterable: a tick per item, `complete()` at the end, `fail()` when the
 * source throws (the error is rethrown) or when the loop stops early. The total is taken from
 * `length` or `size` when the iterable has one and `total` is not given.
 *
 * @example
 * for await (const row of withProgress(rows, { scope: ['user', 3421], store })) {
 *   await importRow(row);
 * }
 */
export async function* withProgress<T>(
  iterable: Iterable<T> | AsyncIterable<T>,
  options: ProgresserOptions,
): AsyncGenerator<T, void, undefined> {
  const progress = new Progresser({ total: sizeOf(iterable), ...options });
  let done = false;
  try {
    for await (const item of iterable) {
      yield item;
      progress.tick();
    }
    done = true;
  } catch (error) {
    await progress.fail(error);
    throw error;
  } finally {
    if (done) await progress.complete();
    // The consumer broke out of the loop or threw inside it: the job did not get through its items.
    else if (!progress.finished) await progress.fail(new ProgressrusError(`Stopped after ${progress.count} items`));
  }
}

function sizeOf(iterable: unknown): number | null {
  const { length, size } = iterable as { length?: unknown; size?: unknown };
  if (Number.isInteger(length)) return length as number;
  if (Number.isInteger(size)) return size as number;
  return null;
}
