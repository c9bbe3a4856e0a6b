import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { datasetCursors, reportLines, stagedRecords, syncRuns } from '../../db/schema.js';
import { activityOf } from '../../dev/simulators/data/activity.js';
import { addDays } from '../../dev/simulators/data/dates.js';
import { addExpenseClaim, addLeave, cancelLeave, changeSalary, remove, rename } from '../../dev/simulators/data/mutations.js';
import { progressQuery, type SyncProgress } from '../../workflows/contracts.js';
import {
  createReflectHarness, expectedReflect, NO_PAGGA_LUCCA_KEY, reflectRecords, reflectRequests, type ReflectHarness,
} from '../support/reflect-harness.js';
import { testDataConverter, workflowBundle } from '../support/temporal.js';

const DAY = 86_400_000;
let h: ReflectHarness;
beforeEach(async () => {
  h = await createReflectHarness({ company: { employees: 40, seed: 3 } });
});
afterEach(async () => h.close());

const today = () => h.company().clock.today();
/** The part of a full read's leave window whose periods are read whole (read-plan.ts: a year each way, 7-day edges). */
const fullInterior = () => ({ from: addDays(today(), -358), to: addDays(today(), 358) });
const lines = (runId: string, dataset?: string) =>
  h.db.db.select().from(reportLines).where(dataset ? and(eq(reportLines.runId, runId), eq(reportLines.dataset, dataset)) : eq(reportLines.runId, runId));
const stagedCount = async (runId: string, dataset: string) =>
  (await h.db.db.select().from(stagedRecords).where(and(eq(stagedRecords.runId, runId), eq(stagedRecords.dataset, dataset)))).length;

function expectReflectMatchesModel() {
  const { from, to } = fullInterior();
  const expected = expectedReflect(h.company(), from, to);
  for (const dataset of ['employees', 'compensation', 'absences', 'expenses'] as const) {
    expect(expected[dataset].size, `${dataset} in the model`).toBeGreaterThan(0);
    expect(reflectRecords(h.reflect, dataset), dataset).toEqual(expected[dataset]);
  }
}

describe('Reflect sync on real Temporal, Postgres and the simulators', () => {
  it('refuses an inactive connection; once activated, syncs all four datasets as the Lucca model says; a resync writes nothing', async () => {
    const inactive = await h.addConnection({ active: false });
    const refused = await h.withWorker(async () => (await h.start(inactive.id)).result().then(() => null, (err: unknown) => err));
    expect(refused).toBeInstanceOf(WorkflowFailedError);
    expect(((refused as WorkflowFailedError).cause?.cause as Error | undefined)?.message).toMatch(/not active yet/); // beginRun's own failure

    const { id } = await h.addConnection();
    const handle = await h.start(id);
    const { first, childProgress, runProgress } = await h.withWorker(async () => {
      const result = await handle.result();
      // Each dataset is its own child workflow with its own progress query; the run's covers them all.
      const child = h.client.workflow.getHandle(`${handle.workflowId}/absences`);
      return { first: result, childProgress: await child.query(progressQuery), runProgress: await handle.query(progressQuery) };
    });
    expect(first.status).toBe('completed');
    expect(first.message).toBeNull();
    expect(childProgress).toMatchObject({ runId: first.runId, phase: 'done' });
    expect((childProgress as SyncProgress).counts.written).toBeGreaterThan(0);
    expect(runProgress.phase).toBe('done');
    expect(Object.values(runProgress.datasets ?? {}).map((d) => [d.dataset, d.status]).sort()).toEqual([
      ['absences', 'completed'], ['compensation', 'completed'], ['employees', 'completed'], ['expenses', 'completed'],
    ]);
    expectReflectMatchesModel();

    // One report section per dataset, counted per section.
    const report = await lines(first.runId);
    expect(new Set(report.map((l) => l.dataset))).toEqual(new Set(['employees', 'compensation', 'absences', 'expenses']));
    expect(first.counts['absences.created']).toBe(reflectRecords(h.reflect, 'absences').size);
    expect(first.counts['employees.quarantined']).toBe(h.company().invalidUserIds.length);
    expect(report.filter((l) => l.outcome === 'applied').every((l) => l.targetId === l.sourceId)).toBe(true);
    // Absences were grouped: far fewer records than the half-day rows read.
    expect(reflectRecords(h.reflect, 'absences').size).toBeLessThan((await stagedCount(first.runId, 'lucca-leaves')) / 2);
    const cursors = await h.db.db.select().from(datasetCursors).where(eq(datasetCursors.connectionId, id));
    expect(cursors).toHaveLength(4);

    const upserts = reflectRequests(h.reflect, 'batchUpsert');
    const deletes = reflectRequests(h.reflect, 'batchDelete');
    h.company().clock.advance(DAY);
    const second = await h.sync(id);
    expect(second.status).toBe('completed');
    expect(reflectRequests(h.reflect, 'batchUpsert')).toBe(upserts);
    expect(reflectRequests(h.reflect, 'batchDelete')).toBe(deletes);
    expect((await lines(second.runId)).filter((l) => l.action !== 'quarantined')).toEqual([]);
    // The daily read was incremental: no user was modified since the first run.
    expect(await stagedCount(second.runId, 'lucca-users')).toBe(0);
  });

  it('a new leave, a cancelled leave, a salary change, a new expense claim and a rename each arrive on the next daily run', async () => {
    const { id } = await h.addConnection();
    const first = await h.sync(id);
    expect(first.status).toBe('completed');
    const company = h.company();
    const absencesBefore = reflectRecords(h.reflect, 'absences');

    company.clock.advance(DAY);
    const owner = company.users.find((u) => u.dtContractEnd === null && u.dtContractStart < today() && !company.invalidUserIds.some((r) => r.userId === u.id));
    if (!owner) throw new Error('fixture has no current employee');
    // Wednesday afternoon to Friday noon, three weeks ahead: two days, in four half-days.
    let wednesday = addDays(today(), 21);
    while (new Date(`${wednesday}T00:00:00Z`).getUTCDay() !== 3) wednesday = addDays(wednesday, 1);
    const added = addLeave(company, { ownerId: owner.id, startsOn: wednesday, endsOn: addDays(wednesday, 2), startsPm: true, endsAm: true, leaveAccountId: 2 });
    const toCancel = [...absencesBefore.values()].find((a) => String(a.starts_on) > today() && a.employee_external_id !== String(owner.id));
    if (!toCancel) throw new Error('fixture has no upcoming absence');
    const [cancelPeriod] = String(toCancel.external_id).split('-');
    cancelLeave(company, Number(cancelPeriod));
    changeSalary(company, owner.id, { amount: 4321, startsOn: addDays(today(), 30) });
    const claim = addExpenseClaim(company, { ownerId: owner.id, name: 'Salon Lyon', amount: 99, statusId: 3 });
    const formerFirstName = owner.firstName;
    rename(company, owner.id, { firstName: 'Renamed' });

    const second = await h.sync(id);
    expect(second.status).toBe('completed');
    expect(await stagedCount(second.runId, 'lucca-users')).toBe(1); // incremental: only the renamed employee

    const absenceId = `${added.request.leavePeriodId}-2`;
    expect(reflectRecords(h.reflect, 'absences').get(absenceId)).toEqual({
      external_id: absenceId, employee_external_id: String(owner.id), type: 'RTT',
      starts_on: wednesday, ends_on: addDays(wednesday, 2), start_half: 'pm', end_half: 'am', days: 2,
    });
    expect(reflectRecords(h.reflect, 'absences').has(String(toCancel.external_id))).toBe(false);
    const pay = [...reflectRecords(h.reflect, 'compensation').values()].filter((c) => c.employee_external_id === String(owner.id) && c.kind === 'fixed');
    expect(pay.find((c) => c.starts_on === addDays(today(), 30))).toMatchObject({ amount: 4321, ends_on: null, category: 'BASIC_SALARY' });
    expect(pay.filter((c) => c.ends_on === null)).toHaveLength(1); // the previous salary was closed the day before
    expect(reflectRecords(h.reflect, 'expenses').get(String(claim.id))).toMatchObject({ name: 'Salon Lyon', status: 'approved', employee_external_id: String(owner.id) });
    expect(reflectRecords(h.reflect, 'employees').get(String(owner.id))).toMatchObject({ first_name: 'Renamed' });

    const report = await lines(second.runId);
    const line = (dataset: string, sourceId: string) => report.find((l) => l.dataset === dataset && l.sourceId === sourceId);
    expect(line('absences', absenceId)).toMatchObject({ action: 'created', outcome: 'applied' });
    expect(line('absences', String(toCancel.external_id))).toMatchObject({ action: 'deleted', outcome: 'applied' });
    expect(line('expenses', String(claim.id))).toMatchObject({ action: 'created', outcome: 'applied' });
    expect(line('employees', String(owner.id))).toMatchObject({ action: 'updated', changes: [{ field: 'first_name', before: formerFirstName, after: 'Renamed' }] });
    expect(report.filter((l) => l.dataset === 'compensation' && l.action === 'created')).toHaveLength(1);
    expect(report.filter((l) => l.dataset === 'compensation' && l.action === 'updated')).toHaveLength(1);
  });

  it('a leave and an employee deleted in Lucca without a trace are deleted from Reflect by the weekly full re-read', async () => {
    const { id } = await h.addConnection();
    expect((await h.sync(id)).status).toBe('completed');
    const company = h.company();
    // A leave period from months ago: inside a full read's window, outside the daily one.
    const old = [...reflectRecords(h.reflect, 'absences').values()].find((a) => String(a.starts_on) < addDays(today(), -90) && String(a.starts_on) > addDays(today(), -300));
    if (!old) throw new Error('fixture has no old absence');
    const [periodId] = String(old.external_id).split('-');
    const activity = activityOf(company, Number(old.employee_external_id));
    if (!activity) throw new Error('no activity');
    activity.leaves = activity.leaves.filter((l) => l.leavePeriodId !== Number(periodId)); // gone, no isActive=false
    const leaver = company.users.find((u) => u.id !== Number(old.employee_external_id) && !company.invalidUserIds.some((r) => r.userId === u.id) &&
      company.fixedItems.some((i) => i.ownerId === u.id) && (activityOf(company, u.id)?.expenseClaims.length ?? 0) <= 2);
    if (!leaver) throw new Error('fixture has no valid employee with pay');
    remove(company, leaver.id);

    company.clock.advance(DAY);
    const daily = await h.sync(id);
    expect(daily.status).toBe('completed');
    expect(reflectRecords(h.reflect, 'absences').has(String(old.external_id))).toBe(true); // a daily read cannot see it
    expect(reflectRecords(h.reflect, 'employees').has(String(leaver.id))).toBe(true);
    // Pay items are read whole on every run: the leaver's are gone already.
    expect([...reflectRecords(h.reflect, 'compensation').values()].some((c) => c.employee_external_id === String(leaver.id))).toBe(false);

    company.clock.advance(7 * DAY);
    const weekly = await h.sync(id);
    expect(weekly.status).toBe('completed');
    expect(reflectRecords(h.reflect, 'absences').has(String(old.external_id))).toBe(false);
    expect(reflectRecords(h.reflect, 'employees').has(String(leaver.id))).toBe(false);
    const report = await lines(weekly.runId);
    expect(report.find((l) => l.dataset === 'absences' && l.sourceId === old.external_id)).toMatchObject({ action: 'deleted', outcome: 'applied' });
    expect(report.find((l) => l.dataset === 'employees' && l.sourceId === String(leaver.id))).toMatchObject({ action: 'deleted', outcome: 'applied' });
    // Employees, pay and claims are read whole weekly: Reflect holds exactly the model. Absences: every one in the
    // window is there (older ones, written when they were in the window, stay as history).
    const { from, to } = fullInterior();
    const expected = expectedReflect(company, from, to);
    for (const dataset of ['employees', 'compensation', 'expenses'] as const) expect(reflectRecords(h.reflect, dataset), dataset).toEqual(expected[dataset]);
    const absences = reflectRecords(h.reflect, 'absences');
    for (const [absenceId, absence] of expected.absences) expect(absences.get(absenceId), absenceId).toEqual(absence);
  });

  it('a key without Pagga rights gives a partial run that says which permission to grant, and the other datasets sync', async () => {
    const { id } = await h.addConnection({ luccaKey: NO_PAGGA_LUCCA_KEY });
    const summary = await h.sync(id);
    expect(summary.status).toBe('completed');
    expect(summary.message).toMatch(/^Partial sync: compensation not synced \(missing Lucca permission\); employees, absences, expense reports synced\./);
    expect(summary.message).toMatch(/Pagga Compensation permission "Consult individual situations"/);
    expect(summary.counts.not_permitted).toBe(1);
    expect(reflectRecords(h.reflect, 'compensation').size).toBe(0);
    const { from, to } = fullInterior();
    const expected = expectedReflect(h.company(), from, to);
    expect(reflectRecords(h.reflect, 'employees')).toEqual(expected.employees);
    expect(reflectRecords(h.reflect, 'absences')).toEqual(expected.absences);
    expect(reflectRecords(h.reflect, 'expenses')).toEqual(expected.expenses);
    const section = await lines(summary.runId, 'compensation');
    expect(section).toHaveLength(1);
    expect(section[0]).toMatchObject({ action: 'not_permitted', outcome: 'reported' });
    expect(section[0]?.error).toMatch(/Lucca refused the remuneration items \(403\).*"Consult individual situations"/);
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.id, summary.runId));
    expect(run).toMatchObject({ status: 'completed', message: summary.message });
    // Compensation's cursor did not move: the next run with the right key reads it whole.
    const cursors = await h.db.db.select().from(datasetCursors).where(eq(datasetCursors.connectionId, id));
    expect(cursors.map((c) => c.dataset).sort()).toEqual(['absences', 'employees', 'expenses']);
  });

  it('a batch whose answer is lost is retried with the same Idempotency-Key; a 429 storm is waited out; a record Reflect refuses is reported and retried', async () => {
    const company = h.company();
    const refused = company.users.find((u) => !company.invalidUserIds.some((r) => r.userId === u.id));
    if (!refused) throw new Error('fixture has no valid employee');
    h.reflect.state.reject('employees', String(refused.id), 'blocked for the test');
    h.reflect.faults.set('batchUpsert', { dropRate: 0.5, burst429: 2, retryAfterSeconds: 1 });
    const { id } = await h.addConnection();
    const first = await h.sync(id);
    expect(first.status).toBe('completed');
    const dump = h.reflect.state.dump();
    expect(dump.requestCounts.batchUpsert?.['429']).toBe(2);
    expect(dump.requestCounts.batchUpsert?.dropped).toBeGreaterThan(0);
    expect(dump.idempotencyReplays).toBeGreaterThan(0); // the retried batch was the same request
    const { from, to } = fullInterior();
    const expected = expectedReflect(company, from, to);
    expected.employees.delete(String(refused.id));
    for (const dataset of ['employees', 'compensation', 'absences', 'expenses'] as const) expect(reflectRecords(h.reflect, dataset), dataset).toEqual(expected[dataset]);
    const [line] = (await lines(first.runId, 'employees')).filter((l) => l.sourceId === String(refused.id));
    expect(line).toMatchObject({ action: 'error', also: ['created'], outcome: 'failed' });
    expect(line?.error).toMatch(/Reflect refused the record \(record: blocked for the test\)/);
    expect(first.counts.error).toBe(1);

    h.reflect.faults.clear();
    h.reflect.state.reject('employees', String(refused.id), null);
    company.clock.advance(DAY);
    const second = await h.sync(id);
    expect(second.status).toBe('completed');
    expect(reflectRecords(h.reflect, 'employees').get(String(refused.id))).toEqual(expectedReflect(company, from, to).employees.get(String(refused.id)));
    expect(second.counts.created).toBe(1);
  });

  it('dataset children continue-as-new on long runs, and every history of a run replays against the current code', async () => {
    const { id } = await h.addConnection();
    const handle = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 40, maxActivitiesPerRun: 3 } });
    const summary = await h.withWorker(() => handle.result());
    expect(summary.status).toBe('completed');
    expectReflectMatchesModel();
    let replayed = 0;
    for (const workflowId of [handle.workflowId, ...(['employees', 'compensation', 'absences', 'expenses'] as const).map((d) => `${handle.workflowId}/${d}`)]) {
      const histories = h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }).intoHistories();
      for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, histories)) {
        expect(result.error).toBeUndefined();
        replayed += 1;
      }
    }
    expect(replayed).toBeGreaterThan(5); // the parent, four children, and the continued executions
  });

  it('a dry run plans every dataset and writes nothing, and moves no cursor', async () => {
    const { id } = await h.addConnection();
    const summary = await h.sync(id, { dryRun: true });
    expect(summary).toMatchObject({ status: 'completed', dryRun: true });
    expect(reflectRequests(h.reflect, 'batchUpsert')).toBe(0);
    const planned = (await lines(summary.runId)).filter((l) => l.outcome === 'planned');
    expect(planned.filter((l) => l.dataset === 'absences')).toHaveLength(expectedReflect(h.company(), fullInterior().from, fullInterior().to).absences.size);
    expect(await h.db.db.select().from(datasetCursors).where(eq(datasetCursors.connectionId, id))).toEqual([]);
  });

  it('cancelling a run cancels its dataset children and leaves Reflect and our snapshots consistent', async () => {
    h.reflect.faults.set('batchUpsert', { latencyMs: 300 });
    const { id } = await h.addConnection();
    const handle = await h.start(id, { options: { linesPerActivity: 20 } });
    const error = await h.withWorker(async () => {
      for (;;) {
        const progress = await handle.query(progressQuery);
        if ((progress.counts.written ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await handle.cancel();
      return handle.result().then(() => null, (err: unknown) => err);
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId));
    expect(run?.status).toBe('cancelled');
    for (const dataset of ['employees', 'compensation', 'absences', 'expenses'] as const) {
      const child = await h.client.workflow.getHandle(`${handle.workflowId}/${dataset}`).describe();
      expect(['CANCELLED', 'COMPLETED']).toContain(child.status.name);
      // Every line marked applied is in Reflect with the values we recorded as written.
      const stored = reflectRecords(h.reflect, dataset);
      for (const line of (await lines(run?.id ?? '', dataset)).filter((l) => l.outcome === 'applied')) {
        expect(stored.get(line.sourceId), `${dataset} ${line.sourceId}`).toBeDefined();
      }
    }
    expect((await lines(run?.id ?? '')).some((l) => l.outcome === 'planned')).toBe(true); // it did stop
  });

  it('a 401 from Lucca fails the run with a message naming the cause and the fix', async () => {
    const { id } = await h.addConnection({ luccaKey: 'a-key-lucca-never-issued' });
    const handle = await h.start(id);
    const error = await h.withWorker(() => handle.result().then(() => null, (err: unknown) => err));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/employees, compensation, absences, expense reports failed: Lucca refused the API key \(401\).*Generate a new key/);
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId));
    expect(run?.status).toBe('failed');
    expect(reflectRequests(h.reflect, 'batchUpsert')).toBe(0);
  });
});
