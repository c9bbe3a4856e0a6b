import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ScheduleDescription, ScheduleExecutionResult } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { CATCHUP_WINDOW, ensureSchedule } from '../../client/schedules.js';
import { syncRuns } from '../../db/schema.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { scheduleIdFor, type SyncSummary } from '../../workflows/contracts.js';
import { createChaosHarness, sleep, startOwnTemporal, waitFor, type ChaosHarness, type OwnTemporal } from '../support/chaos.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * Schedules missed while the Temporal server was down fire once when it comes back, not once per
 * missed time. Two connections' schedules, every 5 s, overlap SKIP (client/schedules.ts):
 *  - A keeps the product's catch-up window (1 hour): every missed time is within it;
 *  - B has a 10 s window: the older missed times are dropped as "missed catch-up window".
 * What Temporal does (service/worker/scheduler): on waking, it buffers every missed time within the
 * catch-up window, oldest first; with SKIP and nothing running it starts the first one and counts
 * the others as skipped overlaps; while that run lasts, later times are skipped too. The runs are
 * made slow on purpose (HappyPal answers its users list after 8 s) so that window is visible.
 *
 * Nothing here depends on how fast the machine is. The server is stopped only when both schedules
 * are idle and their next time (from describe()) is far enough away; if it still took an action
 * while shutting down (a very slow stop), that attempt did not set the scene (a run in flight makes
 * SKIP skip the catch-up) and is played again. Times are the schedule's own: the oldest missed time
 * is the next action time describe() gave before the stop, and "within the catch-up window" is
 * checked against the earliest moment the scheduler could wake (when the server was started again).
 */
let h: ChaosHarness | undefined;
let server: OwnTemporal | undefined;
let worker: Worker | undefined;
let second: HappyPalSimulator | undefined;
afterEach(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  worker = undefined;
  await second?.close();
  second = undefined;
  await h?.close().catch(() => undefined);
  h = undefined;
  await server?.dispose();
  server = undefined;
});

const info = (d: ScheduleDescription) => d.info;

describe('a schedule missed while Temporal was down', () => {
  it('fires once for the whole missed window when the server is back (overlap SKIP), within the catch-up window', async () => {
    server = await startOwnTemporal(inject('temporalCliPath'));
    h = await createChaosHarness({ temporalAddress: server.address, databaseUrl: testDatabaseUrl(), company: { employees: 40, seed: 71 } });
    second = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
    const harness = h;
    const temporal = server;
    const targets = [harness.happypal, second];
    const a = await harness.addConnection();
    const b = await harness.addConnection({ targetUrl: second.url, targetKey: second.apiKey });
    const windows = [CATCHUP_WINDOW, '10 seconds'] as const;
    const handles = [a, b].map((c) => harness.client.schedule.getHandle(scheduleIdFor(c.name)));
    for (const [i, c] of [a, b].entries()) {
      await ensureSchedule(harness.client, { connection: { ...c, target: 'happypal' }, cadence: { kind: 'every-4h' }, taskQueue: harness.taskQueue });
      await handles[i]?.update((prev) => ({ ...prev, spec: { intervals: [{ every: '5s' }] }, policies: { ...prev.policies, catchupWindow: windows[i] } }));
    }
    worker = await harness.newWorker();
    const running = worker.run();

    try {
      const describeAll = () => Promise.all(handles.map((s) => s!.describe()));
      // Both schedules run normally, then are idle with their next time at least 2.5 s away: stop the server then.
      // Up to three attempts, in case the server took an action while it was shutting down.
      let scene: { before: ScheduleDescription[]; stoppedAt: number; restartedAt: number; catchUps: ScheduleExecutionResult[] } | undefined;
      for (let attempt = 1; !scene; attempt++) {
        const before = await waitFor('a first action of each, both idle, their next time 2.5 s away', async () => {
          const all = await describeAll();
          const soonest = Math.min(...all.map((d) => info(d).nextActionTimes[0]?.getTime() ?? 0));
          return all.every((d) => info(d).numActionsTaken >= 1 && info(d).runningActions.length === 0) && soonest - Date.now() >= 2_500 ? all : undefined;
        }, { timeoutMs: 120_000, intervalMs: 100 });
        await temporal.stop();
        const stoppedAt = Date.now(); // anything taken after this was taken after the restart
        for (const target of targets) target.faults.set('listUsers', { latencyMs: 8000 }); // runs after the restart take a while
        await sleep(20_000); // several 5 s times are missed (more than the 10 s window of B)
        const restartedAt = Date.now(); // the scheduler cannot wake before this
        await temporal.restart();

        // The catch-up: the first action of each schedule taken after the restart (its takenAt is when the scheduler woke up).
        const catchUps = await waitFor('the catch-up action of each schedule', async () => {
          const firsts = (await describeAll()).map((d) => info(d).recentActions.find((x) => x.takenAt.getTime() > stoppedAt));
          return firsts.every((x) => x !== undefined) ? firsts.map((x) => x as NonNullable<typeof x>) : undefined;
        }, { timeoutMs: 120_000, intervalMs: 200 });
        // Was a time meant to be missed taken while the server was shutting down?
        const during = (await describeAll()).some((d, i) => {
          const next = info(before[i] as ScheduleDescription).nextActionTimes[0] as Date;
          return info(d).recentActions.some((x) => x.scheduledAt >= next && x.takenAt.getTime() <= stoppedAt);
        });
        if (!during) scene = { before, stoppedAt, restartedAt, catchUps };
        else if (attempt === 3) throw new Error('three times the server took an action while it was shutting down');
        for (const target of targets) target.faults.clear(); // let the catch-up runs finish (later times are skipped meanwhile)
      }
      const { before, stoppedAt, restartedAt, catchUps } = scene;
      const results = await Promise.all(catchUps.map((c) => harness.client.workflow.getHandle(c.action.workflow.workflowId).result() as Promise<SyncSummary>));
      const after = await describeAll();

      const company = harness.lucca.sim.company('demo');
      for (const [i, d] of after.entries()) {
        const was = info(before[i] as ScheduleDescription);
        const now = info(d);
        const catchUp = catchUps[i] as (typeof catchUps)[number];
        // The last action taken before the server went down (it may have taken one while shutting down).
        const lastBefore = now.recentActions.filter((x) => x.takenAt.getTime() <= stoppedAt).at(-1);
        if (!lastBefore) throw new Error('no action before the stop');
        // Once for the whole missed window: a single action for all the times missed while the server was down.
        const forMissedTimes = now.recentActions.filter((x) => x.scheduledAt > lastBefore.scheduledAt && x.scheduledAt < catchUp.takenAt);
        expect(forMissedTimes, `schedule ${i}`).toHaveLength(1);
        expect(catchUp.takenAt.getTime() - catchUp.scheduledAt.getTime()).toBeGreaterThan(1_000); // started late: a catch-up
        expect(now.numActionsSkippedOverlap - was.numActionsSkippedOverlap).toBeGreaterThanOrEqual(1);
        // The scheduler woke (and decided) after the server was started again: a time it started
        // within a 10 s window is at most 10 s older than that; one older than that was outside it.
        const windowStart = restartedAt - 10_000;
        if (i === 0) {
          // One-hour window: nothing was too old, and the oldest missed time (the next time describe() gave before the stop) is the one started,
          // though it was older than a 10 s window allows.
          expect(now.numActionsMissedCatchupWindow - was.numActionsMissedCatchupWindow).toBe(0);
          expect(catchUp.scheduledAt).toEqual(was.nextActionTimes[0]);
          expect(catchUp.scheduledAt.getTime()).toBeLessThan(windowStart);
        } else {
          // Ten-second window: the older missed times were dropped; the one started is within 10 s.
          expect(now.numActionsMissedCatchupWindow - was.numActionsMissedCatchupWindow).toBeGreaterThanOrEqual(1);
          expect(catchUp.scheduledAt.getTime()).toBeGreaterThanOrEqual(windowStart);
        }
        // The catch-up run is a real sync: it completed and HappyPal matches the oracle.
        const result = results[i] as SyncSummary;
        expect(result.status).toBe('completed');
        const [run] = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.id, result.runId));
        expect(run).toMatchObject({ trigger: 'schedule', status: 'completed' });
        expect(activeProfilesByEmail(targets[i]!.state.dump().users)).toEqual(expectedActiveProfiles(company, company.clock.today()));
        // Overlap SKIP: never two syncs of one connection at the same time.
        const runs = (await harness.db.db.select().from(syncRuns).where(eq(syncRuns.connectionId, [a, b][i]!.id)))
          .sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
        for (let k = 1; k < runs.length; k++) {
          expect(runs[k]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[k - 1]!.finishedAt?.getTime() ?? Infinity);
        }
      }
    } finally {
      for (const s of handles) await s?.delete().catch(() => undefined);
      worker.shutdown();
      await running.catch(() => undefined);
    }
    // One scene takes about a minute on a loaded machine (20 s down, a restart, an 8 s catch-up run),
    // after starting a Temporal server of its own: this leaves room for one replay of the scene.
  }, 300_000);
});
