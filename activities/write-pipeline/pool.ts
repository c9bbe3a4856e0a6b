/**
 * A bounded pool of workers over a queue that may grow while it runs (a line to send again is
 * appended to it). Each worker takes the next item while `stopped()` is false; an item with a
 * `notBefore` time still to come is waited for first, and left untaken if the pool stopped meanwhile.
 * Workers are started for the items queued at the start (at most `concurrency`).
 */
export interface PoolOptions<T> {
  concurrency: number;
  /** Checked before each item: true takes no new item (those in flight finish). */
  stopped?: () => boolean;
  /** Epoch ms before which the item must not start (a resend's delay); absent or past: at once. */
  notBefore?: (item: T) => number | undefined;
  work: (item: T) => Promise<void>;
}

/** Waits `ms` on the global timer (so tests can drive it with fake timers). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runPool<T>(queue: T[], options: PoolOptions<T>): Promise<void> {
  const stopped = options.stopped ?? (() => false);
  let next = 0;
  const worker = async () => {
    while (next < queue.length && !stopped()) {
      const item = queue[next++] as T;
      const wait = (options.notBefore?.(item) ?? 0) - Date.now();
      if (wait > 0) {
        await sleep(wait);
        if (stopped()) break; // the item stays untaken
      }
      await options.work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
}
