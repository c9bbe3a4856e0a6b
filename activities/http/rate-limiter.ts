import type postgres from 'postgres';

/** Waits until one more request fits the budget of `bucket`. */
export interface RateLimiter {
  acquire(bucket: string, signal?: AbortSignal): Promise<void>;
}

/**
 * The bucket of a target's write budget: its host (scheme and port included), whatever the
 * connection, the tenant or the key. A publisher's API limits what it accepts as a whole.
 */
export function targetWriteBucket(baseUrl: string): string {
  return `target-writes:${new URL(baseUrl).origin}`;
}

export const unlimited: RateLimiter = { acquire: async () => undefined };

export interface RateLimiterOptions {
  /** Window length (60 s; shorter only in tests). */
  windowMs?: number;
  /**
   * Called before the wait and then at least every `keepAliveEveryMs` while waiting: the worker
   * passes `keepActivityAlive`, so an activity waiting minutes for a budget shared by many
   * connections keeps heartbeating instead of timing out and being retried.
   */
  whileWaiting?: () => void;
  keepAliveEveryMs?: number;
}

/** Default spacing of `whileWaiting` calls: well under the shortest heartbeat timeout (20 s, workflows/policies.ts). */
export const KEEP_ALIVE_EVERY_MS = 5000;

/**
 * A sliding 60-second window kept in Postgres, so every worker process and every connection that
 * reads the same Lucca instance shares one budget. A transaction-scoped advisory lock per bucket
 * makes count-then-insert atomic. Never more than `perMinute` requests start in any window
 * (60 s; shorter only in tests).
 */
export function createPostgresRateLimiter(sql: postgres.Sql, perMinute: number, options: RateLimiterOptions | number = {}): RateLimiter {
  if (perMinute <= 0) return unlimited;
  const { windowMs = 60_000, whileWaiting, keepAliveEveryMs = KEEP_ALIVE_EVERY_MS } = typeof options === 'number' ? { windowMs: options } : options;
  // A request is counted here before it travels; Lucca counts it when it arrives. A margin of 1/60 of
  // the window (1 s a minute) keeps network jitter from letting a 51st request into Lucca's window.
  const window = `${windowMs + Math.round(windowMs / 60)} milliseconds`;
  return {
    async acquire(bucket, signal) {
      for (;;) {
        const waitMs = await sql.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(hashtext(${bucket}))`;
          await tx`delete from rate_limit_events where bucket = ${bucket} and at < clock_timestamp() - ${window}::interval`;
          const [row] = await tx<{ used: number; wait_ms: number | null }[]>`
            select count(*)::int as used,
                   ceil(extract(epoch from (min(at) + ${window}::interval - clock_timestamp())) * 1000)::int as wait_ms
            from rate_limit_events where bucket = ${bucket}`;
          if ((row?.used ?? 0) < perMinute) {
            await tx`insert into rate_limit_events (bucket, at) values (${bucket}, clock_timestamp())`;
            return 0;
          }
          return Math.max(50, row?.wait_ms ?? 1000);
        });
        if (waitMs === 0) return;
        // Waits in slices, each preceded by a heartbeat (when the caller asked for one).
        for (let left = waitMs + 20; left > 0; left -= keepAliveEveryMs) {
          whileWaiting?.();
          await sleep(Math.min(left, keepAliveEveryMs), signal);
        }
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
