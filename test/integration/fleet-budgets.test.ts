import { afterEach, describe, expect, it } from 'vitest';
import { keepActivityAlive } from '../../activities/connectors/keep-alive.js';
import { createPostgresRateLimiter, type RateLimiter } from '../../activities/connectors/rate-limiter.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';

/**
 * Issue 21: activities waiting for a budget shared by many connections must heartbeat, or Temporal
 * times them out (heartbeat timeout 20 s, workflows/policies.ts) and retries them.
 */
let h: SyncHarness | undefined;
afterEach(async () => h?.close());

/** Wraps a limiter to record how long each acquire waited. */
function timed(limiter: RateLimiter, waits: number[]): RateLimiter {
  return {
    async acquire(bucket, signal) {
      const t0 = Date.now();
      await limiter.acquire(bucket, signal);
      waits.push(Date.now() - t0);
    },
  };
}

describe('waiting for the shared Lucca budget on real Temporal', () => {
  it('syncs whose reads wait longer than the heartbeat timeout finish with no heartbeat timeout and no retry', async () => {
    h = await createSyncHarness({ company: { employees: 40, seed: 21 } });
    // One Lucca request per 30 s window, shared by two connections reading the same instance: the
    // second read waits about 30 s inside its activity, past the 20 s heartbeat timeout.
    const waits: number[] = [];
    h.deps.limiter = timed(createPostgresRateLimiter(h.db.sql, 1, { windowMs: 30_000, whileWaiting: keepActivityAlive }), waits);
    const a = await h.addConnection();
    const b = await h.addConnection();
    const harness = h;
    const handles = await harness.withWorker(async () => {
      const started = [await harness.start(a.id), await harness.start(b.id)];
      const summaries = await Promise.all(started.map((x) => x.result()));
      for (const s of summaries) expect(s.status).toBe('completed');
      return started;
    });
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? [];
      const timedOut = events.filter((e) => e.activityTaskTimedOutEventAttributes);
      const retried = events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
      expect(timedOut).toHaveLength(0);
      expect(retried).toHaveLength(0);
    }
    // And the waits were long enough to matter: one attempt waited past the heartbeat timeout.
    expect(Math.max(...waits)).toBeGreaterThan(25_000);
  }, 180_000);
});
