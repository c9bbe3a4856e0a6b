import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsOf } from '../../db/queries/alerts.js';
import { countByHealth } from '../../db/queries/incidents.js';
import { connections, incidents, syncRuns } from '../../db/schema.js';
import { changeEmail, remove } from '../../dev/simulators/data/mutations.js';
import { addChannel } from '../../services/alerts.js';
import { computeHealth, schedulesFrom, type HealthState } from '../../services/health.js';
import { startManualSync, SyncAlreadyRunningError } from '../../services/run-lock.js';
import { deleteSchedule, ensureSchedule, triggerSchedule } from '../../client/schedules.js';
import type { Cadence } from '../../client/schedule-spec.js';
import { currentEmployees } from '../support/fixtures.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import {
  startSlackReceiver, startSmtpReceiver, startWebhookReceiver, type HttpReceiver, type SmtpReceiver,
} from '../support/alert-receivers.js';

let h: SyncHarness;
const schedules: string[] = [];
const company = () => h.lucca.sim.company('demo');

beforeAll(async () => {
  h = await createSyncHarness({ company: { employees: 16, seed: 11, invalidShare: 0, withActivity: false } });
});
afterAll(async () => {
  for (const name of schedules) await deleteSchedule(h.client, name);
  await h?.close();
});

async function health(name: string, at = new Date()): Promise<{ state: HealthState; cause: string }> {
  const [one] = await computeHealth(h.db.db, schedulesFrom(h.client), at, [name]);
  if (!one) throw new Error(`no connection ${name}`);
  return one.health;
}

async function schedule(conn: { id: string; name: string }, cadence: Cadence, paused: boolean) {
  schedules.push(conn.name);
  await ensureSchedule(h.client, { connection: { ...conn, target: 'happypal' }, cadence, taskQueue: h.taskQueue, paused });
}

/** One pass of the fleetHealth workflow on real Temporal, as of `at`. */
function fleetHealth(at: Date) {
  return h.withWorker(() => h.client.workflow.execute('fleetHealth', {
    taskQueue: h.taskQueue, workflowId: `test-fleet-${randomBytes(4).toString('hex')}`, args: [{ at: at.toISOString() }],
  }) as Promise<{ opened: number; resolved: number; sent: number; retrying: number; failed: number }>);
}

const runsOf = (connectionId: string) => h.db.db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
/** A daily time twelve hours away: the schedule never fires during the test by itself. */
const farDaily = (): Cadence => ({ kind: 'daily', hour: (new Date().getUTCHours() + 12) % 24, minute: 0, timezone: 'UTC' });

describe('one run per connection at a time', () => {
  it('two manual starts at the same instant: one runs, the other is refused naming it', async () => {
    const conn = await h.addConnection();
    await h.withWorker(async () => {
      const starts = await Promise.allSettled([0, 1].map(() => startManualSync(h.db.db, h.client, h.taskQueue, conn, { dryRun: false, confirmDeactivations: false })));
      const started = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const refused = starts.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(SyncAlreadyRunningError);
      expect(refused[0]?.message).toContain(started[0]?.handle.workflowId);
      await started[0]?.handle.result();
    });
    const runs = await runsOf(conn.id);
    expect(runs.map((r) => r.status)).toEqual(['completed']);
  });

  for (const order of ['manual then scheduled', 'scheduled then manual'] as const) {
    it(`${order} at the same instant: exactly one run does work, the refused one names it`, async () => {
      const conn = await h.addConnection();
      await schedule(conn, farDaily(), true);
      const writesBefore = h.happypal.state.users.size;
      await h.withWorker(async () => {
        const trigger = () => triggerSchedule(h.client, conn.name);
        const manual = () => startManualSync(h.db.db, h.client, h.taskQueue, conn, { dryRun: false, confirmDeactivations: false });
        // Both calls leave at once; only their order differs.
        const [m, t] = order === 'manual then scheduled' ? (() => { const mm = manual(); return [mm, trigger()] as const; })() : (() => { const tt = trigger(); return [manual(), tt] as const; })();
        await t; // the trigger itself is accepted; its workflow may be refused
        const a = await m.then((v) => ({ ok: true as const, v }), (e: Error) => ({ ok: false as const, e }));
        // The scheduled workflow: the schedule's first recent action.
        let scheduledId: string | undefined;
        while (!scheduledId) scheduledId = (await h.client.schedule.getHandle(`sync-${conn.name}`).describe()).info.recentActions[0]?.action.workflow.workflowId;
        type Failure = { message: string; cause?: { cause?: { message?: string } } };
        const scheduled = await h.client.workflow.getHandle(scheduledId).result().then(() => null, (err: Failure) => err);
        if (a.ok) {
          await a.v.handle.result();
          // The manual run holds the connection: the scheduled workflow was refused, naming it.
          const [run] = await runsOf(conn.id);
          expect(scheduled?.cause?.cause?.message).toContain(`run ${run?.id}, workflow ${run?.workflowId}`);
        } else {
          expect(scheduled).toBeNull();
          expect(a.e).toBeInstanceOf(SyncAlreadyRunningError);
          expect(a.e.message).toContain(scheduledId);
        }
      });
      const runs = await runsOf(conn.id);
      expect(runs.map((r) => r.status)).toEqual(['completed']);
      expect(h.happypal.state.users.size).toBeGreaterThanOrEqual(writesBefore);
    });
  }

  it('each path of refusal, one at a time: a scheduled run refused by the manual run holding the lock, and the reverse', async () => {
    type Failure = { cause?: { cause?: { message?: string; type?: string } } };
    const scheduledRun = async (name: string) => {
      await triggerSchedule(h.client, name); // "sync now" through the schedule (overlap SKIP, as the product does)
      let id: string | undefined;
      while (!id) id = (await h.client.schedule.getHandle(`sync-${name}`).describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
      return h.client.workflow.getHandle(id);
    };
    // The manual run took the lock (no worker yet): the scheduled workflow's first activity is refused.
    const first = await h.addConnection();
    await schedule(first, farDaily(), true);
    const manual = await startManualSync(h.db.db, h.client, h.taskQueue, first, { dryRun: false, confirmDeactivations: false });
    const scheduled = await scheduledRun(first.name);
    await h.withWorker(async () => {
      const refused = await scheduled.result().then(() => null, (err: Failure) => err.cause?.cause);
      expect(refused?.type).toBe('connection_busy');
      expect(refused?.message).toBe(`a sync of "${first.name}" is already running (run ${manual.runId}, workflow ${manual.handle.workflowId}): this start is refused.`);
      await manual.handle.result();
    });
    expect((await runsOf(first.id)).map((r) => [r.id, r.status])).toEqual([[manual.runId, 'completed']]);

    // A scheduled workflow is running (not yet at its first activity): a manual start is refused, naming it.
    const second = await h.addConnection();
    await schedule(second, farDaily(), true);
    const running = await scheduledRun(second.name);
    const refused = await startManualSync(h.db.db, h.client, h.taskQueue, second, { dryRun: false, confirmDeactivations: false }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(SyncAlreadyRunningError);
    expect((refused as Error).message).toBe(
      `a sync of "${second.name}" is already running (scheduled workflow ${running.workflowId}): wait for it to finish (lucca-sync runs list ${second.name}).`,
    );
    await h.withWorker(() => running.result());
    expect((await runsOf(second.id)).map((r) => [r.workflowId, r.status])).toEqual([[running.workflowId, 'completed']]);
  });

  it('a holder whose workflow is gone (terminated) no longer holds the connection', async () => {
    const conn = await h.addConnection();
    const stuck = await h.client.workflow.start('syncConnection', {
      taskQueue: `nobody-${randomBytes(3).toString('hex')}`, workflowId: `sync-${conn.name}-manual-stuck`, args: [{ connectionId: conn.id, trigger: 'manual' }],
    });
    await h.db.db.insert(syncRuns).values({ connectionId: conn.id, workflowId: stuck.workflowId, trigger: 'manual' });
    await stuck.terminate('test');
    await h.withWorker(async () => {
      const { handle } = await startManualSync(h.db.db, h.client, h.taskQueue, conn, { dryRun: false, confirmDeactivations: false });
      await handle.result();
    });
    const runs = await runsOf(conn.id);
    expect(runs.map((r) => [r.status, r.failureCode]).sort()).toEqual([['completed', null], ['failed', 'abandoned']]);
  });
});

describe('health, from real scenarios', () => {
  it('never run, ok, auth error, failing, paused, stale', async () => {
    const never = await h.addConnection();
    expect((await health(never.name)).state).toBe('never_run');

    const ok = await h.addConnection();
    expect((await h.sync(ok.id)).status).toBe('completed');
    expect((await health(ok.name)).state).toBe('ok');

    const expired = await h.addConnection({ luccaKey: 'expired-key-0001' });
    expect((await h.sync(expired.id).catch(() => null))).toBeNull();
    expect(await health(expired.name)).toEqual({ state: 'auth_error', cause: expect.stringContaining('(lucca_unauthorized)'), conditions: expect.anything() });

    const broken = await h.addConnection({ luccaUrl: 'http://localhost:9/' });
    expect((await h.sync(broken.id).catch(() => null))).toBeNull();
    expect((await health(broken.name)).cause).toContain('(lucca_url_invalid)');
    expect((await health(broken.name)).state).toBe('failing');

    const paused = await h.addConnection();
    await h.sync(paused.id);
    await schedule(paused, farDaily(), true);
    expect((await health(paused.name)).state).toBe('paused');

    const stale = await h.addConnection();
    await h.sync(stale.id);
    await schedule(stale, farDaily(), false);
    expect((await health(stale.name)).state).toBe('ok');
    const later = new Date(Date.now() + 49 * 3_600_000); // the clock we control: two days and an hour on
    expect(await health(stale.name, later)).toMatchObject({ state: 'stale', cause: expect.stringContaining('scheduled every 24h') });
  });

  it('blocked: the deactivation guard waits for a confirmation', async () => {
    const conn = await h.addConnection({ deactivationGuardPct: 0 });
    await h.sync(conn.id);
    const [gone] = currentEmployees(company());
    if (!gone) throw new Error('no employee');
    remove(company(), gone.id);
    expect((await h.sync(conn.id)).status).toBe('blocked');
    expect((await health(conn.name)).state).toBe('blocked');
  });
});

describe('incidents and alerts', () => {
  let webhook: HttpReceiver;
  let slack: HttpReceiver;
  let smtp: SmtpReceiver;
  const secret = 'whsec-test-0123456789';
  beforeAll(async () => {
    webhook = await startWebhookReceiver(secret);
    slack = await startSlackReceiver();
    smtp = await startSmtpReceiver('alerts', 'smtp-pass-123');
  });
  afterAll(async () => {
    await webhook?.close();
    await slack?.close();
    await smtp?.close();
  });

  it('an expired key opens one incident, notified once on each channel; a successful run resolves it, notified once again', async () => {
    const conn = await h.addConnection({ luccaKey: 'expired-key-0002' });
    const hosts = ['127.0.0.1'];
    const { cipher } = h.deps;
    const suffix = randomBytes(3).toString('hex');
    await addChannel(h.db.db, cipher, hosts, { kind: 'webhook', name: `hook-${suffix}`, url: webhook.url, secret, connectionId: conn.id });
    await addChannel(h.db.db, cipher, hosts, { kind: 'slack', name: `slack-${suffix}`, url: slack.url, connectionId: conn.id });
    await addChannel(h.db.db, cipher, hosts, {
      kind: 'email', name: `mail-${suffix}`, to: 'ops@example.com', from: 'sync@example.com',
      smtpUrl: `smtp://alerts:smtp-pass-123@127.0.0.1:${smtp.port}`, connectionId: conn.id,
    });
    await h.sync(conn.id).catch(() => null);
    const t0 = new Date();
    await fleetHealth(t0);
    await fleetHealth(new Date(t0.getTime() + 60_000)); // evaluated again: still one incident, nothing sent twice
    const open = await h.db.db.select().from(incidents).where(eq(incidents.connectionId, conn.id));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'auth_error', resolvedAt: null, cause: expect.stringContaining('lucca_unauthorized') });
    expect(webhook.refused).toEqual([]);
    expect(slack.refused).toEqual([]);
    expect(webhook.received).toEqual([expect.objectContaining({ event: 'incident.opened', connection: conn.name, incident: expect.objectContaining({ kind: 'auth_error' }) })]);
    expect(slack.received).toEqual([expect.objectContaining({ text: `lucca-sync: incident opened on "${conn.name}": auth error (#${open[0]?.id})` })]);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'sync@example.com', to: ['ops@example.com'] });
    expect(smtp.mails[0]?.raw).toContain(`incident opened on "${conn.name}"`);

    // The key is rotated; the next run succeeds and the incident resolves by itself.
    await h.db.db.update(connections).set({ luccaKeyEnc: cipher.encrypt(h.lucca.apiKey) }).where(eq(connections.id, conn.id));
    expect((await h.sync(conn.id)).status).toBe('completed');
    await fleetHealth(new Date(t0.getTime() + 120_000));
    await fleetHealth(new Date(t0.getTime() + 180_000));
    const [resolved] = await h.db.db.select().from(incidents).where(eq(incidents.connectionId, conn.id));
    expect(resolved?.resolvedAt).not.toBeNull();
    expect(webhook.received.map((m) => (m as { event: string }).event)).toEqual(['incident.opened', 'incident.resolved']);
    expect(slack.received).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]?.raw).toContain('incident resolved');
    const sent = await notificationsOf(h.db.db, resolved?.id as number);
    expect(sent.map((n) => [n.event, n.status, n.attempts])).toEqual([
      ['opened', 'sent', 1], ['opened', 'sent', 1], ['opened', 'sent', 1], ['resolved', 'sent', 1], ['resolved', 'sent', 1], ['resolved', 'sent', 1],
    ]);
    // Nothing personal travels: no employee email in any notification.
    const everything = JSON.stringify([webhook.received, slack.received, smtp.mails]);
    for (const user of company().users) expect(everything).not.toContain(user.mail);
  });

  it('a failing channel is retried with backoff and recorded, and the sync is unaffected', async () => {
    const conn = await h.addConnection({ luccaKey: 'expired-key-0003' });
    const failing = await startWebhookReceiver(secret);
    failing.status = 500;
    try {
      await addChannel(h.db.db, h.deps.cipher, ['127.0.0.1'], {
        kind: 'webhook', name: `down-${randomBytes(3).toString('hex')}`, url: failing.url, secret, connectionId: conn.id,
      });
      await h.sync(conn.id).catch(() => null);
      const t0 = new Date();
      await fleetHealth(t0);
      const [incident] = await h.db.db.select().from(incidents).where(and(eq(incidents.connectionId, conn.id), eq(incidents.kind, 'auth_error')));
      const [first] = await notificationsOf(h.db.db, incident?.id as number);
      expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: 'webhook answered HTTP 500' });
      expect(first?.nextAttemptAt.getTime()).toBe(t0.getTime() + 30_000);

      // Meanwhile a sync of the connection runs as usual (the key fixed): alerting is not in its path.
      await h.db.db.update(connections).set({ luccaKeyEnc: h.deps.cipher.encrypt(h.lucca.apiKey) }).where(eq(connections.id, conn.id));
      expect((await h.sync(conn.id)).status).toBe('completed');

      // The incident resolves; its opening is not due again yet, its resolution is tried and fails too.
      await fleetHealth(new Date(t0.getTime() + 10_000));
      const notYet = await notificationsOf(h.db.db, incident?.id as number);
      expect(notYet.map((n) => [n.event, n.status, n.attempts])).toEqual([['opened', 'pending', 1], ['resolved', 'pending', 1]]);
      failing.status = 200;
      await fleetHealth(new Date(t0.getTime() + 31_000)); // the opening's retry is due
      await fleetHealth(new Date(t0.getTime() + 41_000)); // the resolution's retry is due
      const all = await notificationsOf(h.db.db, incident?.id as number);
      expect(all.map((n) => [n.event, n.status, n.attempts, n.lastError])).toEqual([['opened', 'sent', 2, null], ['resolved', 'sent', 2, null]]);
      expect(failing.received.map((m) => (m as { event: string }).event)).toEqual(['incident.opened', 'incident.resolved']);
    } finally {
      await failing.close();
    }
  });
});

describe('degraded', () => {
  it('a record in quarantine makes a connection degraded and opens a degraded incident, resolved once the record passes', async () => {
    const conn = await h.addConnection();
    const [user] = currentEmployees(company());
    if (!user) throw new Error('no employee');
    changeEmail(company(), user.id, 'not-an-email');
    await h.sync(conn.id);
    expect(await health(conn.name)).toMatchObject({ state: 'degraded', cause: '0 open conflict(s), 1 record(s) in quarantine' });
    await fleetHealth(new Date());
    const rows = await h.db.db.select().from(incidents).where(eq(incidents.connectionId, conn.id));
    expect(rows.map((r) => [r.kind, r.resolvedAt])).toEqual([['degraded', null]]);
    // What the worker's /metrics gauge reads: connections per state, as the fleet evaluation saw them.
    expect((await countByHealth(h.db.db)).degraded).toBeGreaterThanOrEqual(1);

    // Fixed in Lucca: the next run takes the record, and the incident resolves by itself.
    changeEmail(company(), user.id, `fixed.${user.id}@example.com`);
    await h.sync(conn.id);
    expect((await health(conn.name)).state).toBe('ok');
    await fleetHealth(new Date());
    const [after] = await h.db.db.select().from(incidents).where(eq(incidents.connectionId, conn.id));
    expect(after?.resolvedAt).not.toBeNull();
  });
});
