import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { reportLines, syncRuns } from '../../db/schema.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let h: SyncHarness;
const staged = async (runId: string) =>
  (await h.db.sql<{ n: number }[]>`select count(*)::int as n from staged_records where run_id = ${runId}::uuid`)[0]?.n ?? -1;
let workers: WorkerProcess[] = [];
const today = new Date().toISOString().slice(0, 10);
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 300, seed: 41, asOf: today } });
});
afterEach(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  workers = [];
  await h.close();
});

const applied = async (runId: string) =>
  (await h.db.db.select({ n: sql<number>`count(*)::int` }).from(reportLines)
    .where(and(eq(reportLines.runId, runId), eq(reportLines.outcome, 'applied'))))[0]?.n ?? 0;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('durability of the HappyPal sync', () => {
  it('a worker killed (SIGKILL) in the middle of the write phase: a new worker finishes, no duplicate, no missing profile', async () => {
    h.happypal.faults.set('createUser', { latencyMs: 60 }); // keep the write phase long enough to land a kill in it
    const { id } = await h.addConnection();
    const first = await startWorkerProcess(h.taskQueue);
    workers.push(first);
    const handle = await h.start(id, { options: { linesPerActivity: 1000 } });
    const runId = await waitFor('the run row', async () =>
      (await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId)))[0]?.id);
    const before = await waitFor('writes to start', async () => ((await applied(runId)) >= 20 ? applied(runId) : undefined));
    await first.kill('SIGKILL');
    const atKill = await applied(runId);
    const expected = expectedActiveProfiles(h.lucca.sim.company('demo'), today);
    expect(atKill).toBeGreaterThanOrEqual(before);
    expect(atKill).toBeLessThan(expected.size); // really mid-write

    workers.push(await startWorkerProcess(h.taskQueue));
    const summary = (await handle.result()) as SyncSummary;
    expect(summary.status).toBe('completed');
    const users = h.happypal.state.dump().users;
    expect(users).toHaveLength(expected.size); // no duplicate profile
    expect(activeProfilesByEmail(users)).toEqual(expected); // no missing one, every value right
    expect(summary.counts.created).toBe(expected.size);
  });

  it('cancelling a run leaves a consistent state and a report that says it was cancelled; what it read stays until a run completes', async () => {
    h.happypal.faults.set('createUser', { latencyMs: 40 });
    const { id } = await h.addConnection();
    const result = await h.withWorker(async () => {
      const handle = await h.start(id, { options: { linesPerActivity: 50 } });
      const runId = await waitFor('the run row', async () =>
        (await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId)))[0]?.id);
      await waitFor('writes to start', async () => ((await applied(runId)) >= 10 ? true : undefined));
      await handle.cancel();
      const error = await handle.result().then(() => null, (err: unknown) => err);
      return { runId, error };
    });
    expect(result.error).not.toBeNull();
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.id, result.runId));
    expect(run).toMatchObject({ status: 'cancelled', message: 'Cancelled by an operator.' });
    // Every profile HappyPal holds is linked and recorded as applied: nothing written is lost.
    const done = await applied(result.runId);
    expect(h.happypal.state.dump().users).toHaveLength(done);
    // A run that did not complete keeps what it read (docs/design.md §4)…
    const employees = h.lucca.sim.company('demo').users.length;
    expect(await staged(result.runId)).toBe(employees);
    // The next run picks up where the cancelled one stopped.
    const next = await h.sync(id);
    expect(next.status).toBe('completed');
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expectedActiveProfiles(h.lucca.sim.company('demo'), today));
    // …until one completes: then only the latest read of the connection is kept.
    expect(await staged(result.runId)).toBe(0);
    expect(await staged(next.runId)).toBe(employees + done);
    const third = await h.sync(id);
    expect(third.status).toBe('completed');
    expect(await staged(next.runId)).toBe(0);
    expect(await staged(third.runId)).toBeGreaterThan(employees);
  });

  it('continues-as-new past the configured activity count, carrying its cursor and counters', async () => {
    const { id } = await h.addConnection();
    const handle = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 40, maxActivitiesPerRun: 3 } });
    const summary = (await h.withWorker(() => handle.result())) as SyncSummary;
    expect(summary.status).toBe('completed');
    const runs = [];
    // HappyPal's only dataset runs in the run workflow itself, carrying its cursor across continue-as-new.
    const query = `WorkflowId = '${handle.workflowId}'`;
    for await (const execution of h.client.workflow.list({ query })) runs.push(execution.status.name);
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expectedActiveProfiles(h.lucca.sim.company('demo'), today));
    expect(summary.counts.created).toBe(expectedActiveProfiles(h.lucca.sim.company('demo'), today).size);
  });
});
