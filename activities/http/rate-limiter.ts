import type postgres from 'postgres';
import { takeRateLimitSlot } from '../../db/queries/rate-limit.js';

/** Waits until one more request fits the budget of `bucket`. */
export interface RateLimiter {
  acquire(bucket: string, signal?: AbortSignal): Promise<void>;
}

export const unlimited: RateLimiter = { acquire: async () => undefined };

/**
 * A sliding 60-second window kept in Postgres, so every worker process and every connection that
 * reads the same Lucca instance shares one budget. A transaction-scoped advisory lock per bucket
 * makes count-then-insert atomic. Never more than `perMinute` requests start in any window
 * (60 s; shorter only in tests).
 */
export function createPostgresRateLimiter(sql: postgres.Sql, perMinute: number, windowMs = 60_000): RateLimiter {
  if (perMinute <= 0) return unlimited;
  // A request is counted here before it travels; Lucca counts it when it arrives. A margin of 1/60 of
  // the window (1 s a minute) keeps network jitter from letting a 51st request into Lucca's window.
  const window = `${windowMs + Math.round(windowMs / 60)} milliseconds`;
  return {
    async acquire(bucket, signal) {
      for (;;) {
        const waitMs = await takeRateLimitSlot(sql, bucket, perMinute, window);
        if (waitMs === 0) return;
        await sleep(waitMs + 20, signal);
      }
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
