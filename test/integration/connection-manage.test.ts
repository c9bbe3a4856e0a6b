import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { auditLog, conflicts, connections, recordLinks, reportLines, snapshots, syncRuns } from '../../db/schema.js';
import { activityOf } from '../../dev/simulators/data/activity.js';
import { remove } from '../../dev/simulators/data/mutations.js';
import { resolveKey } from '../../dev/simulators/lucca/roles.js';
import { connectionAudit } from '../../services/audit.js';
import {
  addConnection, removeConnection, resetConnection, updateConnection, type ServiceContext,
} from '../../services/connections.js';
import { ServiceError } from '../../services/errors.js';
import { scheduleIdFor } from '../../workflows/contracts.js';
import { currentEmployees, profileOf } from '../support/fixtures.js';
import { createReflectHarness, reflectRecords } from '../support/reflect-harness.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { uniqueTaskQueue } from '../support/temporal.js';

const DAY = 86_400_000;
let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function services(harness: { db: SyncHarness['db']; deps: SyncHarness['deps']; client: SyncHarness['client']; taskQueue: string }): ServiceContext {
  return {
    db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client,
    env: { LUCCA_ALLOWED_HOSTS: ['127.0.0.1'], TEMPORAL_TASK_QUEUE: harness.taskQueue }, actor: { kind: 'os', user: 'test-operator' },
  };
}

const count = async (harness: SyncHarness, table: typeof recordLinks | typeof snapshots | typeof conflicts, connectionId: string) =>
  (await harness.db.db.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.connectionId, connectionId)))[0]?.n ?? 0;

/** A live key on the simulated Lucca instance (rotation: the new one is added, then the old one revoked). */
function luccaKey(harness: SyncHarness, key: string, role?: Parameters<typeof resolveKey>[0]['role']) {
  const instance = harness.lucca.sim.instances.get('demo');
  if (!instance) throw new Error('no demo instance');
  return {
    add: () => instance.keys.set(key, resolveKey({ key, name: key, ...(role && { role }) }, instance.keys.size)),
    revoke: () => instance.keys.delete(key),
  };
}

describe('connection update: key rotation in place', () => {
  it('rotating the Lucca and HappyPal keys keeps links, snapshots and conflicts: a hand edit made before is still detected, nothing is duplicated', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 30, seed: 41, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection({ defaultPolicy: 'review' });
    expect((await harness.sync(id)).status).toBe('completed');
    const company = harness.lucca.sim.company('demo');
    const [first, second] = currentEmployees(company);
    if (!first || !second) throw new Error('fixture too small');
    // One hand edit already in conflict before the rotation, one made just before it and not yet seen by a sync.
    harness.happypal.state.handEdit(profileOf(harness.happypal, first).id, 'last_name', 'Edited-Before', 'hr@client');
    expect((await harness.sync(id)).counts.conflict).toBe(1);
    harness.happypal.state.handEdit(profileOf(harness.happypal, second).id, 'first_name', 'Edited-Just-Before', 'hr@client');
    const profiles = harness.happypal.state.users.size;
    const links = await count(harness, recordLinks, id);
    const snaps = await count(harness, snapshots, id);

    // The company rotates both keys: the old ones stop working.
    luccaKey(harness, 'rotated-lucca-key-0002').add();
    luccaKey(harness, harness.lucca.apiKey).revoke();
    harness.happypal.rotateApiKey('rotated-happypal-key-0002');
    await expect(harness.sync(id)).rejects.toThrow();

    const updated = await updateConnection(sctx, name, { luccaKey: 'rotated-lucca-key-0002', targetKey: 'rotated-happypal-key-0002' });
    expect(updated.changed).toEqual(['luccaKey', 'targetKey']);
    expect(updated.connection.id).toBe(id);
    expect(await count(harness, recordLinks, id)).toBe(links);
    expect(await count(harness, snapshots, id)).toBe(snaps);

    const after = await harness.sync(id);
    expect(after.status).toBe('completed');
    expect(after.counts.created ?? 0).toBe(0);
    expect(harness.happypal.state.users.size).toBe(profiles);
    // profileOf throws if a person had two profiles.
    expect(profileOf(harness.happypal, first).last_name).toBe('Edited-Before');
    expect(profileOf(harness.happypal, second).first_name).toBe('Edited-Just-Before');
    const open = await harness.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, id), eq(conflicts.status, 'open')));
    expect(open.map((c) => [c.sourceId, c.field]).sort()).toEqual([[String(first.id), 'lastName'], [String(second.id), 'firstName']].sort());
    expect(await count(harness, recordLinks, id)).toBe(links);

    const audit = await connectionAudit(harness.db.db, id);
    expect(audit[0]).toMatchObject({ actor: 'os:test-operator', action: 'update', detail: { changed: ['luccaKey', 'targetKey'] } });
    expect(JSON.stringify(audit)).not.toContain('rotated-');
  });

  it('refuses a Lucca key that is refused, or that sees less, unless confirmed; nothing is saved', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 30, seed: 43 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    const before = (await harness.db.db.select().from(connections).where(eq(connections.id, id)))[0];
    luccaKey(harness, 'no-former-key-0001', { seeFormer: false, seeFuture: true, hrFileSections: true }).add();

    const refused = await updateConnection(sctx, name, { luccaKey: 'unknown-key-00001' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).message).toMatch(/^the new Lucca key was not saved: Lucca refused the API key \(401\)/);
    expect((refused as ServiceError).message).toContain(`lucca-sync connection update ${name} --lucca-key`);

    const less = await updateConnection(sctx, name, { luccaKey: 'no-former-key-0001' }).catch((e: unknown) => e);
    expect(less).toBeInstanceOf(ServiceError);
    expect((less as ServiceError).kind).toBe('refused');
    // The role hides former employees: the key sees fewer people (and, by Lucca's clock, no former employee).
    expect((less as ServiceError).message).toMatch(/^the new Lucca key sees less than the current one \(.*\d+ employee\(s\) instead of \d+\): nothing was saved/);
    expect((await harness.db.db.select().from(connections).where(eq(connections.id, id)))[0]?.luccaKeyEnc).toBe(before?.luccaKeyEnc);

    const confirmed = await updateConnection(sctx, name, { luccaKey: 'no-former-key-0001', confirmLessAccess: true });
    expect(confirmed.lessAccess).toContainEqual(expect.stringMatching(/employee\(s\) instead of/));
    expect(harness.deps.cipher.decrypt(confirmed.connection.luccaKeyEnc)).toBe('no-former-key-0001');
  });

  it('a rename keeps the schedule (spec, paused state and note) and the history; refused while a sync runs', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 10, seed: 47 } }));
    const sctx = services(harness);
    const row = await addConnection(sctx, {
      name: `rename-${Date.now().toString(36)}`, target: 'happypal', luccaUrl: harness.lucca.url, luccaKey: harness.lucca.apiKey,
      targetUrl: harness.happypal.url, targetKey: harness.happypal.apiKey,
    }, { kind: 'daily', hour: 5, minute: 30, timezone: 'Europe/Berlin' });
    await harness.client.schedule.getHandle(scheduleIdFor(row.name)).pause('Paused: payroll freeze');
    const run = await harness.sync(row.id);
    const newName = `${row.name}-renamed`;
    try {
      // A manual sync nobody picks up stays running.
      const held = await harness.client.workflow.start('syncConnection', {
        taskQueue: uniqueTaskQueue('nobody'), workflowId: `sync-${row.name}-manual-held`, args: [{ connectionId: row.id, trigger: 'manual' }],
      });
      const busy = await updateConnection(sctx, row.name, { rename: newName }).catch((e: unknown) => e);
      expect(busy).toMatchObject({ kind: 'busy', message: expect.stringContaining(`manual workflow sync-${row.name}-manual-held`) });
      await held.terminate('test');

      const renamed = await updateConnection(sctx, row.name, { rename: newName });
      expect(renamed.connection).toMatchObject({ id: row.id, name: newName });
      expect(await describeSchedule(harness.client, row.name)).toBeUndefined();
      const schedule = await describeSchedule(harness.client, newName);
      expect(schedule?.state).toMatchObject({ paused: true, note: 'Paused: payroll freeze' });
      expect(schedule?.spec.timezone).toBe('Europe/Berlin');
      expect(schedule?.spec.calendars?.[0]?.hour[0]?.start).toBe(5);
      expect(schedule?.action).toMatchObject({ workflowId: scheduleIdFor(newName) });
      const runs = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.connectionId, row.id));
      expect(runs.map((r) => r.id)).toEqual([run.runId]);
      expect((await connectionAudit(harness.db.db, row.id)).map((a) => a.action)).toEqual(['update', 'add']);
    } finally {
      for (const n of [row.name, newName]) await harness.client.schedule.getHandle(scheduleIdFor(n)).delete().catch(() => undefined);
    }
  });
});

describe('connection reset', () => {
  it('forgets snapshots (not those under an open conflict): the next run attaches by link, creates nothing twice', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 30, seed: 53, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection({ defaultPolicy: 'review' });
    await harness.sync(id);
    const [edited] = currentEmployees(harness.lucca.sim.company('demo'));
    if (!edited) throw new Error('fixture too small');
    harness.happypal.state.handEdit(profileOf(harness.happypal, edited).id, 'last_name', 'Pending-Decision', 'hr@client');
    expect((await harness.sync(id)).counts.conflict).toBe(1);
    const profiles = harness.happypal.state.users.size;
    const links = await count(harness, recordLinks, id);
    const snaps = await count(harness, snapshots, id);

    const reset = await resetConnection(sctx, name);
    expect(reset).toMatchObject({ snapshots: snaps - 1, keptSnapshots: 1 });
    expect(await count(harness, snapshots, id)).toBe(1);

    const after = await harness.sync(id);
    expect(after.status).toBe('completed');
    expect(after.counts.created ?? 0).toBe(0);
    expect(harness.happypal.state.users.size).toBe(profiles);
    expect(await count(harness, recordLinks, id)).toBe(links);
    expect(await count(harness, snapshots, id)).toBe(snaps);
    expect(profileOf(harness.happypal, edited).last_name).toBe('Pending-Decision');
    expect(await count(harness, conflicts, id)).toBe(1);
    expect((await connectionAudit(harness.db.db, id))[0]).toMatchObject({ action: 'reset', detail: { snapshots: snaps - 1, cursors: 1 } });
  });
});

describe('connection remove', () => {
  it('is refused while a sync runs; the default keeps runs, reports and links and frees the name', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 10, seed: 59 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    const run = await harness.sync(id);
    const held = await harness.client.workflow.start('syncConnection', {
      taskQueue: uniqueTaskQueue('nobody'), workflowId: `sync-${name}-manual-held`, args: [{ connectionId: id, trigger: 'manual' }],
    });
    const busy = await removeConnection(sctx, name, { purge: false }).catch((e: unknown) => e);
    expect(busy).toMatchObject({ kind: 'busy', message: expect.stringContaining(`manual workflow sync-${name}-manual-held`) });
    expect((await harness.db.db.select().from(connections).where(eq(connections.id, id)))[0]?.removedAt).toBeNull();
    await held.terminate('test');

    const links = await count(harness, recordLinks, id);
    await removeConnection(sctx, name, { purge: false });
    const [row] = await harness.db.db.select().from(connections).where(eq(connections.id, id));
    expect(row).toMatchObject({ active: false, luccaKeyEnc: '', targetKeyEnc: '' });
    expect(row?.removedAt).toBeInstanceOf(Date);
    expect(await count(harness, snapshots, id)).toBe(0);
    expect(await count(harness, recordLinks, id)).toBe(links);
    expect((await harness.db.db.select().from(reportLines).where(eq(reportLines.runId, run.runId))).length).toBeGreaterThan(0);
    // The name is free again; the old row and its history stay apart.
    const again = await harness.addConnection({ name });
    expect(again.id).not.toBe(id);
  });

  it('--purge leaves no personal value for that connection in any table', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 40, seed: 61, invalidShare: 0.1 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection({ defaultPolicy: 'review' });
    await harness.sync(id);
    const company = harness.lucca.sim.company('demo');
    const [edited] = currentEmployees(company);
    if (!edited) throw new Error('fixture too small');
    harness.happypal.state.handEdit(profileOf(harness.happypal, edited).id, 'last_name', 'Hand-Edit-Value', 'hr@client');
    const second = await harness.sync(id);
    expect(second.counts.conflict).toBe(1);
    expect(second.counts.quarantined).toBeGreaterThan(0);

    await removeConnection(sctx, name, { purge: true });

    const runIds = (await harness.db.db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.connectionId, id))).map((r) => r.id);
    expect(runIds).toHaveLength(2);
    // Every table of the schema: rows of this connection (by connection id, or by one of its runs).
    const tables = await harness.db.sql<{ table_name: string; columns: string[] }[]>`
      select table_name, array_agg(column_name::text) as columns from information_schema.columns
      where table_schema = 'public' group by table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['staged_records', 'report_lines', 'record_links', 'snapshots', 'quarantine', 'conflicts', 'dataset_cursors', 'audit_log']));
    const personal = [
      'Hand-Edit-Value',
      ...company.users.flatMap((u) => [u.mail, u.lastName, u.birthDate].filter((v): v is string => typeof v === 'string' && v.length > 3)),
      ...company.users.map((u) => `"${u.id}"`),
    ];
    const left: Record<string, number> = {};
    for (const { table_name: table, columns } of tables) {
      const byRun = ['run_id', 'last_run_id', 'opened_run_id', 'last_seen_run_id'].filter((c) => columns.includes(c));
      const where = [
        ...(columns.includes('connection_id') ? [harness.db.sql`connection_id = ${id}`] : []),
        ...(table === 'connections' ? [harness.db.sql`id = ${id}`] : []),
        ...(table === 'sync_runs' ? [harness.db.sql`id = any(${runIds})`] : []),
        ...byRun.map((c) => harness.db.sql`${harness.db.sql(c)} = any(${runIds})`),
      ];
      if (where.length === 0) continue;
      const condition = where.reduce((a, b) => harness.db.sql`${a} or ${b}`);
      const rows = await harness.db.sql<{ row: string }[]>`select t::text as row from ${harness.db.sql(table)} t where ${condition}`;
      left[table] = rows.length;
      for (const { row } of rows) for (const value of personal) expect(row, `${table} holds a personal value`).not.toContain(value);
    }
    // What stays: the connection row (keys wiped), its runs (counts), the audit trail.
    expect(Object.fromEntries(Object.entries(left).filter(([, n]) => n > 0))).toEqual({ connections: 1, sync_runs: 2, audit_log: 1 });
    expect((await harness.db.db.select().from(auditLog).where(eq(auditLog.connectionId, id)))[0]).toMatchObject({ action: 'remove', detail: expect.objectContaining({ purge: true }) });
    expect(await harness.db.db.select().from(reportLines).where(inArray(reportLines.runId, runIds))).toEqual([]);
  });
});

describe('sync run --full', () => {
  it('Reflect: ignores the incremental cursor and re-reads everything, so a silent deletion in Lucca is seen the next day', async () => {
    const r = await createReflectHarness({ company: { employees: 30, seed: 3 } });
    try {
      const { id } = await r.addConnection();
      expect((await r.sync(id)).status).toBe('completed');
      const company = r.company();
      const leaver = company.users.find((u) => !company.invalidUserIds.some((x) => x.userId === u.id) &&
        reflectRecords(r.reflect, 'employees').has(String(u.id)) && (activityOf(company, u.id)?.expenseClaims.length ?? 0) <= 2);
      if (!leaver) throw new Error('fixture has no synced employee');
      remove(company, leaver.id);
      company.clock.advance(DAY);
      expect((await r.sync(id)).status).toBe('completed');
      expect(reflectRecords(r.reflect, 'employees').has(String(leaver.id))).toBe(true); // an incremental read cannot see it
      company.clock.advance(DAY);
      const full = await r.sync(id, { full: true });
      expect(full.status).toBe('completed');
      expect(reflectRecords(r.reflect, 'employees').has(String(leaver.id))).toBe(false);
      const [line] = await r.db.db.select().from(reportLines)
        .where(and(eq(reportLines.runId, full.runId), eq(reportLines.dataset, 'employees'), eq(reportLines.sourceId, String(leaver.id))));
      expect(line).toMatchObject({ action: 'deleted', outcome: 'applied' });
    } finally {
      await r.close();
    }
  });
});

