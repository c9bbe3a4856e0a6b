import { afterEach, describe, expect, it } from 'vitest';
import { keepActivityAlive } from '../../activities/http/keep-alive.js';
import { createPostgresRateLimiter, type RateLimiter } from '../../activities/http/rate-limiter.js';
import { createDb } from '../../db/client.js';
import { startHappyPalTenants, type HappyPalTenants } from '../../dev/simulators/happypal/tenants.js';
import { createWorker } from '../../workers/create-worker.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { connectToTestServer, testDataConverter, workflowBundle } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';

/**
 * Issue 21: activities waiting for a budget shared by many connections must heartbeat, or Temporal
 * times them out (heartbeat timeout 20 s, workflows/policies.ts) and retries them.
 */
let h: SyncHarness | undefined;
let tenants: HappyPalTenants | undefined;
afterEach(async () => {
  await tenants?.close();
  tenants = undefined;
  await h?.close();
  h = undefined;
});

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

describe('the per-target-host write budget on real Temporal', () => {
  it('two workers, each with its own database pool, writing two companies to one host, stay within one shared budget', async () => {
    h = await createSyncHarness({ company: { employees: 40, seed: 22 } });
    tenants = await startHappyPalTenants({ rateLimitPerMinute: 0 });
    tenants.addTenant('company-a-key');
    tenants.addTenant('company-b-key');
    const limit = 12;
    const windowMs = 2000;
    // Two workers as two processes would be: separate pools, separate limiter objects, one budget in Postgres.
    const pools = [createDb(testDatabaseUrl(), { max: 3 }), createDb(testDatabaseUrl(), { max: 3 })];
    const used = [0, 0];
    const limiters = pools.map((p, i) => {
      const inner = createPostgresRateLimiter(p.sql, limit, { windowMs, whileWaiting: keepActivityAlive });
      return { acquire: async (bucket: string, signal?: AbortSignal) => { await inner.acquire(bucket, signal); used[i] = (used[i] ?? 0) + 1; } } satisfies RateLimiter;
    });
    const conns = [await connectToTestServer(), await connectToTestServer()];
    try {
      const a = await h.addConnection({ targetUrl: tenants.url, targetKey: 'company-a-key' });
      const b = await h.addConnection({ targetUrl: tenants.url, targetKey: 'company-b-key' });
      // Each worker on its own task queue, so each surely runs one company's writes at the same time.
      const queues = [`${h.taskQueue}-a`, `${h.taskQueue}-b`];
      const workers = await Promise.all(limiters.map(async (limiter, i) => createWorker({
        connection: (conns[i] as (typeof conns)[number]).nativeConnection,
        namespace: 'default', taskQueue: queues[i] as string, deps: { ...h!.deps, targetWriteLimiter: limiter },
        dataConverter: testDataConverter(), workflowBundle: await workflowBundle(),
      })));
      const client = h.client;
      const done = (async () => {
        const handles = await Promise.all([a, b].map((c, i) => client.workflow.start('syncConnection', {
          taskQueue: queues[i] as string, workflowId: `test-budget-${c.id}`, args: [{ connectionId: c.id, trigger: 'manual' } satisfies SyncInput],
        })));
        return Promise.all(handles.map((x) => x.result() as Promise<SyncSummary>));
      })();
      await Promise.all(workers.map((w) => w.runUntil(done)));
      const summaries = await done;
      for (const s of summaries) expect(s.status).toBe('completed');
      expect(summaries.every((s) => (s.counts.created ?? 0) > 20)).toBe(true);
      expect(tenants.tenant('company-a-key')?.dump().users.length).toBe(summaries[0]?.counts.created);
      expect(tenants.tenant('company-b-key')?.dump().users.length).toBe(summaries[1]?.counts.created);

      // Both workers wrote, and no window of the host ever saw more than the budget: the (limit+1)-th
      // write after any write arrived a whole window later (less a little network jitter).
      expect(used[0]).toBeGreaterThan(0);
      expect(used[1]).toBeGreaterThan(0);
      const arrivals = [...tenants.writeArrivals].sort((x, y) => x - y);
      expect(arrivals.length).toBe((used[0] ?? 0) + (used[1] ?? 0));
      expect(arrivals.length).toBeGreaterThan(3 * limit);
      for (let i = limit; i < arrivals.length; i += 1) {
        expect((arrivals[i] as number) - (arrivals[i - limit] as number)).toBeGreaterThanOrEqual(windowMs - 300);
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()));
      await Promise.all(pools.map((p) => p.close()));
    }
  }, 180_000);
});
