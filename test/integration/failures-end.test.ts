import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { deleteSchedule, describeSchedule, ensureSchedule, triggerSchedule } from '../../client/schedules.js';
import { syncRuns } from '../../db/schema.js';
import { scheduleIdFor, type SyncInput, type SyncSummary } from '../../workflows/contracts.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';

/**
 * Every failure ends (docs/design.md §4), on real Temporal and Postgres: a Lucca answering an HTML page
 * with status 200 fails the run after a few attempts, with a message naming the endpoint, status,
 * content type and page title, and the connection's schedule starts its next run; a Lucca answering
 * 500 for ever fails the run once its time budget is spent, saying what to do. Retry intervals and
 * the budget are shortened through the workflow's input; the rules are the product's.
 */
const FAST_RETRIES = { retryInitialIntervalMs: 100, retryMaximumIntervalMs: 300 };

let h: SyncHarness | undefined;
let scheduled: string | undefined;
afterEach(async () => {
  if (h && scheduled) await deleteSchedule(h.client, scheduled);
  scheduled = undefined;
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function runRow(harness: SyncHarness, workflowId: string) {
  const [row] = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, workflowId));
  return row;
}

async function failureOf(result: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await result.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('every failure ends', () => {
  it('an HTML page with status 200 fails the run after 3 attempts with a clear message; the schedule starts the next run', async () => {
    h = await createSyncHarness({ company: { employees: 30, seed: 17 } });
    const harness = h;
    const conn = await harness.addConnection();
    scheduled = conn.name;
    await ensureSchedule(harness.client, { connection: { ...conn, target: 'happypal' }, cadence: { kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' }, taskQueue: harness.taskQueue });
    const schedule = harness.client.schedule.getHandle(scheduleIdFor(conn.name));
    // The schedule's own action, with short retry intervals for the test.
    await schedule.update((prev) => {
      if (prev.action.type !== 'startWorkflow') throw new Error('unexpected action');
      const [input] = prev.action.args as [SyncInput];
      expect(input.budgetMs).toBe(12 * 3_600_000);
      return { ...prev, action: { ...prev.action, args: [{ ...input, options: FAST_RETRIES }] } };
    });
    harness.lucca.sim.faults.set('users', { htmlRate: 1 });

    await harness.withWorker(async () => {
      await triggerSchedule(harness.client, conn.name);
      const first = await waitFor('the first scheduled run', async () => (await describeSchedule(harness.client, conn.name))?.info.recentActions[0]);
      const failure = await failureOf(harness.client.workflow.getHandle(first.action.workflow.workflowId).result());
      expect(failure.type).toBe('lucca_not_json');
      expect(failure.message).toBe(
        "Lucca's answer to GET /t/demo/api/v3/users is not what its API sends (200, text/html): page title \"Sign in – Corporate Access ####\". " +
          "Check the connection's Lucca URL, and that no proxy, firewall or login page stands between the worker and Lucca; " +
          'if Lucca changed its API, report it to the connector maintainers. (Gave up after 3 attempts.)',
      );
      // Three attempts, one request each: the page was asked for three times, then the run ended.
      expect(harness.lucca.sim.stats.snapshot().byEndpoint.users?.byStatus).toEqual({ 200: 3 });
      expect(await runRow(harness, first.action.workflow.workflowId)).toMatchObject({ status: 'failed', message: failure.message, trigger: 'schedule' });

      // Lucca is back: the schedule's next run starts (nothing left running for SKIP to skip) and completes.
      harness.lucca.sim.faults.clear();
      await triggerSchedule(harness.client, conn.name);
      const second = await waitFor('the next scheduled run', async () => {
        const actions = (await describeSchedule(harness.client, conn.name))?.info.recentActions ?? [];
        return actions.find((a) => a.action.workflow.workflowId !== first.action.workflow.workflowId);
      });
      const summary = await harness.client.workflow.getHandle(second.action.workflow.workflowId).result() as SyncSummary;
      expect(summary.status).toBe('completed');
      expect(summary.counts.created).toBeGreaterThan(0);
      expect((await describeSchedule(harness.client, conn.name))?.info.numActionsSkippedOverlap).toBe(0);
    });
  });

  it('a Lucca answering 500 for ever fails the run when its time budget is spent, saying what to do; the run showed why it retried', async () => {
    h = await createSyncHarness({ company: { employees: 20, seed: 18 } });
    const harness = h;
    const conn = await harness.addConnection();
    harness.lucca.sim.faults.set('users', { errorRate: 1 });

    await harness.withWorker(async () => {
      const handle = await harness.start(conn.id, { budgetMs: 12_000, options: FAST_RETRIES });
      // While it retries, the run says why (runs list, report).
      const retrying = await waitFor('the retrying note', async () => {
        const row = await runRow(harness, handle.workflowId);
        return row?.message?.startsWith('retrying: ') ? row : undefined;
      });
      expect(retrying).toMatchObject({ status: 'running', message: 'retrying: Lucca answered 500; will retry with backoff.' });

      const failure = await failureOf(handle.result());
      expect(failure.type).toBe('run_budget_spent');
      // Whether the server's timeout carries the last attempt's failure (then the message names Lucca
      // alone) depends on where the budget ran out: between attempts, or during one.
      const service = failure.message.includes('check that Lucca is up') ? 'Lucca is' : 'Lucca and the target are';
      expect(failure.message).toBe(
        "Gave up: the run's time budget (12 s) ran out while retrying. Nothing read is lost, and the next scheduled run starts as usual. " +
          `If this repeats, check that ${service} up (status page) and reachable from the workers, then start a run by ` +
          'hand with `lucca-sync sync run <connection>`. Last error: Lucca answered 500.',
      );
      expect(await runRow(harness, handle.workflowId)).toMatchObject({ status: 'failed', message: failure.message });
      expect(harness.lucca.sim.stats.snapshot().byEndpoint.users?.byStatus['500']).toBeGreaterThan(3);
    });

    // Transient faults that stop still recover within the budget: the connection syncs on its next run.
    harness.lucca.sim.faults.clear();
    harness.lucca.sim.faults.set('users', { burst429: 2, retryAfterSeconds: 1 });
    const next = await harness.sync(conn.id, { options: FAST_RETRIES });
    expect(next.status).toBe('completed');
    expect(next.message).toBeNull();
  });
});
