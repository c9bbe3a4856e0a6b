import { describe, expect, it } from 'vitest';
import { createPostgresRateLimiter } from '../../activities/http/rate-limiter.js';
import { createDb } from '../../db/client.js';
import { testDatabaseUrl } from '../support/database.js';

describe('Lucca rate limiter shared through Postgres', () => {
  it('never lets more than the limit start in any window, across separate pools (as separate workers would)', async () => {
    const windowMs = 1500;
    const limit = 4;
    const pools = [createDb(testDatabaseUrl(), { max: 3 }), createDb(testDatabaseUrl(), { max: 3 })];
    try {
      const limiters = pools.map((p) => createPostgresRateLimiter(p.sql, limit, windowMs));
      const bucket = `test:${Date.now()}`;
      const starts: number[] = [];
      await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          await limiters[i % 2]?.acquire(bucket);
          starts.push(Date.now());
        }),
      );
      starts.sort((a, b) => a - b);
      expect(starts).toHaveLength(12);
      for (let i = limit; i < starts.length; i += 1) {
        // the (limit+1)-th start after any start comes a full window later
        expect((starts[i] as number) - (starts[i - limit] as number)).toBeGreaterThanOrEqual(windowMs - 25);
      }
      // 12 requests at 4 per 1.5 s need at least two full windows.
      expect((starts[11] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(2 * windowMs - 50);
      // Other buckets (other Lucca instances) are not held up.
      const t0 = Date.now();
      await limiters[0]?.acquire(`${bucket}:other`);
      expect(Date.now() - t0).toBeLessThan(500);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});
