import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { SyncSummary } from '../../workflows/contracts.js';
import {
  createChaosHarness, happyPalRequests, outcomes, runRowOf, sleep, startOwnTemporal, waitFor,
  type ChaosHarness, type OwnTemporal,
} from '../support/chaos.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * The Temporal server goes away in the middle of the write phase, first stopped (SIGTERM), then
 * crashed (SIGKILL), and comes back on the same port and SQLite file. The suite's server is shared by
 * every test file, so this test runs its own. The in-process worker is never restarted: the SDK
 * retries its polls while the server is away, and activities keep writing meanwhile (their
 * completions fail and Temporal retries them after the heartbeat timeout, skipping what was applied).
 *
 * "Mid-write" is made true by construction, not by timing: a gate on HappyPal's createUser lets a
 * budget of writes through and holds the next one; the server goes down while a write is held, and
 * while it is down the gate lets a few more through (the activity goes on writing) but never the whole
 * rest of the phase, however slow the restart.
 */
let h: ChaosHarness | undefined;
let server: OwnTemporal | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  worker = undefined;
  await h?.close().catch(() => undefined);
  h = undefined;
  await server?.dispose();
  server = undefined;
});

describe('the Temporal server stopped and restarted mid-sync', () => {
  it('stopped, then killed, in the write phase: the run resumes each time and HappyPal matches the oracle', async () => {
    server = await startOwnTemporal(inject('temporalCliPath'));
    h = await createChaosHarness({ temporalAddress: server.address, databaseUrl: testDatabaseUrl(), company: { employees: 500, seed: 61 } });
    const harness = h;
    const temporal = server;
    const company = harness.lucca.sim.company('demo');
    const { id } = await harness.addConnection();
    worker = await harness.newWorker();
    const running = worker.run();
    let workerError: unknown;
    running.catch((err: unknown) => (workerError = err));

    const handle = await harness.start(id, { options: { linesPerActivity: 100 } });
    const run = await runRowOf(harness.db, handle.workflowId);
    const applied = async () => (await outcomes(harness.db, run.id)).applied ?? 0;
    const expected = expectedActiveProfiles(company, company.clock.today());

    // Writes pass the gate in bounded budgets: 60 before each crash, 20 while the server is down.
    const gate = harness.happypal.faults.gate('createUser', 60);
    for (const crash of ['stop', 'kill'] as const) {
      await waitFor('a write held at HappyPal', () => gate.waiting > 0, { timeoutMs: 120_000 });
      await (crash === 'stop' ? temporal.stop() : temporal.kill());
      expect(await applied()).toBeLessThan(expected.size); // really mid-write
      gate.allow(20); // the running activity goes on writing while the server is down ...
      await sleep(3_000); // ... for a while: polls fail and are retried
      await temporal.restart();
      if (crash === 'stop') gate.allow(60);
    }
    gate.open();

    const summary = (await handle.result()) as SyncSummary;
    expect(workerError).toBeUndefined();
    expect(worker.getState()).toBe('RUNNING'); // the same worker, never restarted
    expect(summary.status).toBe('completed');
    const users = harness.happypal.state.dump().users;
    expect(users).toHaveLength(expected.size); // no duplicate
    expect(activeProfilesByEmail(users)).toEqual(expected);
    expect(summary.counts.created).toBe(expected.size);
    // Resumed, not restarted from zero: far fewer create requests than two full passes.
    const creates = Object.values(happyPalRequests(harness.happypal).createUser ?? {}).reduce((a, b) => a + b, 0);
    expect(creates).toBeLessThan(expected.size + 250);
    worker.shutdown();
    await running;
  });
});
