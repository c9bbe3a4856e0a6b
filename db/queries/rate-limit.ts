import type postgres from 'postgres';

/**
 * One step of a sliding-window rate limit kept in Postgres (activities/http/rate-limiter.ts): under a
 * transaction-scoped advisory lock per bucket, forgets the requests older than `window` and, when
 * fewer than `perWindow` remain, records one more. Returns 0 when it was recorded, else how long to
 * wait (ms) before the oldest one leaves the window.
 */
export async function takeRateLimitSlot(sql: postgres.Sql, bucket: string, perWindow: number, window: string): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${bucket}))`;
    await tx`delete from rate_limit_events where bucket = ${bucket} and at < clock_timestamp() - ${window}::interval`;
    const [row] = await tx<{ used: number; wait_ms: number | null }[]>`
      select count(*)::int as used,
             ceil(extract(epoch from (min(at) + ${window}::interval - clock_timestamp())) * 1000)::int as wait_ms
      from rate_limit_events where bucket = ${bucket}`;
    if ((row?.used ?? 0) < perWindow) {
      await tx`insert into rate_limit_events (bucket, at) values (${bucket}, clock_timestamp())`;
      return 0;
    }
    return Math.max(50, row?.wait_ms ?? 1000);
  });
}
