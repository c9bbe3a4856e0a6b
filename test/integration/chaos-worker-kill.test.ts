import { afterEach, describe, expect, inject, it } from 'vitest';
import { endContract, rename } from '../../dev/simulators/data/mutations.js';
import { progressQuery, type SyncSummary } from '../../workflows/contracts.js';
import {
  backendAlive, createChaosHarness, lineCount, lockTable, luccaUsersByStatus, runOf, runRowOf, stagedCount, waitFor,
  type ChaosHarness, type LockGate,
} from '../support/chaos.js';
import { currentEmployees, daysBefore, profileOf } from '../support/fixtures.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * A real worker process is SIGKILLed in the fetch phase, then in the plan (conflict-check) phase;
 * a new worker process finishes the run. (The kill during the write phase is in
 * happypal-durability.test.ts.) Each kill costs the activity's heartbeat timeout (20 s): that is
 * how Temporal learns that a worker died.
 */
const today = new Date().toISOString().slice(0, 10);
let h: ChaosHarness | undefined;
let workers: WorkerProcess[] = [];
let gate: LockGate | undefined;

afterEach(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  workers = [];
  await gate?.release().catch(() => undefined);
  gate = undefined;
  await h?.close();
  h = undefined;
});

const harness = async (employees: number, seed: number) =>
  (h = await createChaosHarness({
    temporalAddress: inject('temporalAddress'), databaseUrl: testDatabaseUrl(), company: { employees, seed, asOf: today },
  }));
const spawnWorker = async (taskQueue: string) => {
  const worker = await startWorkerProcess(taskQueue);
  workers.push(worker);
  return worker;
};

describe('a worker process killed mid-run (SIGKILL)', () => {
  it('during fetch: the new worker resumes from the cursor (no page read from zero again) and the result matches the oracle', async () => {
    const h = await harness(2100, 43); // three Lucca pages of 1,000
    const company = h.lucca.sim.company('demo');
    h.lucca.sim.faults.set('users', { latencyMs: 1500 }); // each page takes 1.5 s: time to land the kill
    const { id } = await h.addConnection();
    const first = await spawnWorker(h.taskQueue);
    const handle = await h.start(id, { options: { pagesPerActivity: 1 } });
    const run = await runRowOf(h.db, handle.workflowId);

    // The workflow's cursor has passed page 1 and the next fetch activity is reading page 2.
    await waitFor('page 1 fetched and checkpointed, page 2 in flight', async () => {
      const progress = await handle.query(progressQuery).catch(() => undefined);
      return progress?.phase === 'fetch-source' && progress.pagesDone >= 1 && progress.pagesDone < 3;
    }, { intervalMs: 100 });
    await first.kill('SIGKILL');
    const stagedAtKill = await stagedCount(h.db, run.id);
    expect(stagedAtKill).toBeGreaterThanOrEqual(1000);
    expect(stagedAtKill).toBeLessThan(company.users.length);
    expect((await runOf(h.db, handle.workflowId))?.fetchComplete).toBe(false);

    h.lucca.sim.faults.clear();
    await spawnWorker(h.taskQueue);
    const summary = (await handle.result()) as SyncSummary;
    expect(summary.status).toBe('completed');

    const expected = expectedActiveProfiles(company, today);
    const users = h.happypal.state.dump().users;
    expect(users).toHaveLength(expected.size); // no duplicate
    expect(activeProfilesByEmail(users)).toEqual(expected);
    expect(summary.counts).toMatchObject({ read: company.users.length, created: expected.size });
    // Resumed, not restarted: page 1 once, page 2 at most twice (the killed read and its retry), page 3 once.
    const served = Object.values(luccaUsersByStatus(h.lucca)).reduce((a, b) => a + b, 0);
    expect(served).toBeLessThanOrEqual(4);
  });

  it('during the conflict check (plan): the killed plan leaves no half-written plan, the new worker plans again and writes once', async () => {
    const h = await harness(300, 47);
    const company = h.lucca.sim.company('demo');
    const { id } = await h.addConnection({ defaultPolicy: 'lucca-wins' });
    const first = await h.sync(id); // in-process: the state the next run checks against
    expect(first.status).toBe('completed');
    const profiles = h.happypal.state.dump().users.length;

    // Something for the conflict check to decide: Lucca changes, hand edits on HappyPal, two leavers.
    const people = currentEmployees(company);
    const [renamed, edited, leavers] = [people.slice(0, 3), people.slice(3, 6), people.slice(6, 8)];
    for (const p of renamed) rename(company, p.id, { lastName: `${p.lastName ?? ''}-Chaos` });
    for (const p of edited) h.happypal.state.handEdit(profileOf(h.happypal, p).id, 'first_name', 'Edited-By-Hand', 'hr@client');
    for (const p of leavers) endContract(company, p.id, daysBefore(today, 1));

    // Hold the plan inside its transaction: its report lines are inserted, its quarantine upsert waits.
    gate = await lockTable(testDatabaseUrl(), 'quarantine');
    const worker = await spawnWorker(h.taskQueue);
    const handle = await h.start(id);
    const run = await runRowOf(h.db, handle.workflowId);
    const [blocked] = await waitFor('the plan to be blocked inside its transaction', async () => {
      const row = await runOf(h.db, handle.workflowId);
      const waiting = row?.phase === 'plan' ? await gate?.waiters() : undefined;
      return waiting && waiting.length > 0 ? waiting : undefined;
    }, { intervalMs: 50 });
    await worker.kill('SIGKILL');
    await gate.release();
    gate = undefined;
    // The dead worker's backend sees its client gone and rolls the transaction back: no partial plan.
    await waitFor('the killed plan transaction to end', async () => !(await backendAlive(testDatabaseUrl(), blocked as number)));
    expect(await lineCount(h.db, run.id)).toBe(0);

    await spawnWorker(h.taskQueue);
    const summary = (await handle.result()) as SyncSummary;
    expect(summary.status).toBe('completed');
    const users = h.happypal.state.dump().users;
    expect(users).toHaveLength(profiles); // nothing created twice
    expect(activeProfilesByEmail(users)).toEqual(expectedActiveProfiles(company, today));
    expect(summary.counts).toMatchObject({ updated: 3, overwrote_manual_edit: 3, deactivated: 2 });
    for (const p of edited) expect(profileOf(h.happypal, p).first_name).toBe(p.firstName);
    for (const p of leavers) expect(profileOf(h.happypal, p).status).toBe('inactive');
  });
});
