import { afterEach, describe, expect, inject, it } from 'vitest';
import { progressQuery, type SyncSummary } from '../../workflows/contracts.js';
import {
  activityAttempts, createChaosHarness, lockTable, supervise, terminateAppBackends, waitFor,
  type ChaosHarness, type LockGate, type Supervisor,
} from '../support/chaos.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * PostgreSQL drops the application's connections mid-run (pg_terminate_backend on every backend
 * named 'lucca-connectors'), in the fetch phase and twice in the write phase, under a real worker
 * process. To be sure a statement is in flight when the connections drop (not only idle pooled
 * connections, which postgres-js replaces silently), a table lock held by the test first makes the
 * phase's next statement wait inside Postgres (seen in pg_locks before the drop); gates on the
 * simulators hold the phase (page 2's request, the next write) until that lock is taken. The activities fail, Temporal retries them on new
 * connections, the run completes and HappyPal matches the oracle.
 *
 * postgres-js 3.4.9 throws an uncaught TypeError when a connection drops inside a transaction
 * (porsager/postgres#1154, #1208) and leaves that pooled connection unusable; this test found it
 * killing the worker process. The worker now drains and exits 1 on that error (workers/main.ts);
 * the test plays the process supervisor (compose `restart: unless-stopped`).
 */
const today = new Date().toISOString().slice(0, 10);
let h: ChaosHarness | undefined;
let workers: Supervisor | undefined;
afterEach(async () => {
  await workers?.stop();
  workers = undefined;
  await h?.close();
  h = undefined;
});

/**
 * Locks `table`, then lets the held requests go (`go`), waits until a statement of the app waits on
 * the lock (seen in pg_locks), drops every app connection, releases the lock.
 */
async function dropConnectionsWhileWaitingOn(databaseUrl: string, table: string, go: () => void): Promise<number> {
  const gate: LockGate = await lockTable(databaseUrl, table);
  try {
    go();
    await waitFor(`a statement waiting on ${table}`, async () => ((await gate.waiters()).length > 0 ? true : undefined), { timeoutMs: 60_000 });
    return await terminateAppBackends(databaseUrl);
  } finally {
    await gate.release(); // always: a held lock would also hold the workers
  }
}

describe('PostgreSQL connections dropped mid-run', () => {
  it('in the fetch phase and in the write phase: activities fail, are retried on new connections, the run completes', async () => {
    const databaseUrl = testDatabaseUrl();
    h = await createChaosHarness({ temporalAddress: inject('temporalAddress'), databaseUrl, company: { employees: 1300, seed: 53, asOf: today } });
    const harness = h;
    const company = harness.lucca.sim.company('demo');
    const { id } = await harness.addConnection();
    // Each phase is caught at a known point by a gate on the simulator it calls, not by timing:
    // Lucca lets page 1 through and holds page 2's request until the lock is taken.
    const pages = harness.lucca.sim.faults.gate('users', 1);
    workers = await supervise(() => startWorkerProcess(harness.taskQueue));

    const handle = await harness.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 400 } });

    // Fetch: page 1 checkpointed; staging page 2 waits on the lock, then its connection drops.
    await waitFor('page 1 fetched and page 2 asked for', async () =>
      ((await handle.query(progressQuery).catch(() => undefined))?.pagesDone ?? 0) >= 1 && pages.waiting > 0, { timeoutMs: 120_000 });
    expect(await dropConnectionsWhileWaitingOn(databaseUrl, 'staged_records', () => pages.open())).toBeGreaterThan(0);

    // Write, twice (after 100 writes, then 500 more): HappyPal holds the next write until the lock
    // is taken, then a commit of written lines waits on it, then every connection drops.
    for (const budget of [100, 500]) {
      const writes = harness.happypal.faults.gate('createUser', budget);
      await waitFor(`a write held after ${budget}`, () => writes.waiting > 0, { timeoutMs: 120_000 });
      expect(await dropConnectionsWhileWaitingOn(databaseUrl, 'snapshots', () => writes.open())).toBeGreaterThan(0);
    }

    const summary = (await handle.result()) as SyncSummary;
    expect(summary.status).toBe('completed');
    // Both activities really failed and were retried.
    const attempts = await activityAttempts(handle);
    expect(attempts.stageDataset).toBeGreaterThanOrEqual(2);
    expect(attempts.writeDataset).toBeGreaterThanOrEqual(2);

    const expected = expectedActiveProfiles(company, today);
    const users = harness.happypal.state.dump().users;
    expect(users).toHaveLength(expected.size); // no duplicate
    expect(activeProfilesByEmail(users)).toEqual(expected);
    expect(summary.counts).toMatchObject({ read: company.users.length, created: expected.size });
    // Writes whose commit was lost were sent again with the same idempotency key: HappyPal replayed them.
    expect(harness.happypal.state.dump().idempotencyReplays).toBeGreaterThan(0);

    // A worker that met the driver bug drained and said why; none died of a raw crash.
    for (const exit of workers.exits) {
      expect(exit, exit.output).toMatchObject({ code: 1, signal: null });
      expect(exit.output).toContain('database connection lost inside a transaction');
      expect(exit.output).not.toContain('TypeError');
    }
    // The (possibly restarted) worker goes on working.
    const again = (await (await harness.start(id)).result()) as SyncSummary;
    expect(again.status).toBe('completed');
  });
});
