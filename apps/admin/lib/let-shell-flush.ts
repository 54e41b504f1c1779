/**
 * Waits one macrotask. A Suspense section calls it before a read whose decoding keeps the CPU
 * busy (a scope of 10,000 records): React then sends the page's shell (header, skeleton) first,
 * and the first byte never waits for the data. Without it, the reply from Redis can arrive, and
 * block the event loop, before the shell has been written.
 */
export function letShellFlush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
