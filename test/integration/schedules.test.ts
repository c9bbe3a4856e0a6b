import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CATCHUP_WINDOW, deleteSchedule, describeSchedule, ensureSchedule, pauseSchedule, resumeSchedule, triggerSchedule,
  type ScheduledConnection,
} from '../../client/schedules.js';
import { DEFAULT_SCHEDULE_JITTER_SECONDS } from '../../config/env.js';
import { scheduleIdFor } from '../../workflows/contracts.js';
import { connectToTestServer, uniqueTaskQueue } from '../support/temporal.js';

let server: Awaited<ReturnType<typeof connectToTestServer>>;
let client: Client;
const created: string[] = [];
let n = 0;

function connection(): ScheduledConnection {
  const name = `sched-${Date.now().toString(36)}-${n++}`;
  created.push(name);
  return { id: randomUUID(), name, target: 'happypal' };
}

const daily = { kind: 'daily', hour: 6, minute: 30, timezone: 'Europe/Paris' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Every run a schedule of ours started, terminated (no worker polls these task queues). */
async function terminateRuns(name: string): Promise<void> {
  const described = await describeSchedule(client, name);
  const ids = new Set((described?.info.runningActions ?? []).map((a) => a.workflow.workflowId));
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "sync-${name}-" AND ExecutionStatus = "Running"` })) ids.add(wf.workflowId);
  for (const id of ids) await client.workflow.getHandle(id).terminate('test cleanup').catch(() => undefined);
}

beforeAll(async () => {
  server = await connectToTestServer();
  client = server.client;
});

afterEach(async () => {
  for (const name of created.splice(0)) {
    await terminateRuns(name);
    await deleteSchedule(client, name);
  }
});

afterAll(async () => {
  await server?.close();
});

describe('connection schedules', () => {
  it('daily: a calendar at HH:MM in the zone, overlap SKIP, explicit catch-up window, ids-only args', async () => {
    const conn = connection();
    const taskQueue = uniqueTaskQueue('sched');
    expect(await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue })).toBe('created');
    const d = await client.schedule.getHandle(scheduleIdFor(conn.name)).describe();
    expect(d.spec.calendars?.[0]?.hour).toEqual([{ start: 6, end: 6, step: 1 }]);
    expect(d.spec.calendars?.[0]?.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
    expect(d.spec.timezone).toBe('Europe/Paris');
    expect(d.policies).toEqual({ overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false });
    expect(CATCHUP_WINDOW).toBe('1 hour');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'syncConnection', taskQueue, workflowId: `sync-${conn.name}` });
    expect(d.action.args).toEqual([{ connectionId: conn.id, trigger: 'schedule', budgetMs: 12 * 3_600_000 }]);
    expect(d.state.paused).toBe(false);
    expect(d.state.note).toBe(`Lucca → HappyPal sync of "${conn.name}", daily at 06:30 (Europe/Paris)`);
    expect(d.memo).toMatchObject({ connection: conn.name, target: 'HappyPal' });
    // Next fire times are 06:30 Paris time (04:30 or 05:30 UTC depending on DST), plus the default
    // jitter of up to five minutes (SCHEDULE_JITTER_SECONDS).
    expect(d.spec.jitter).toBe(DEFAULT_SCHEDULE_JITTER_SECONDS * 1000);
    for (const at of d.info.nextActionTimes) {
      const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(at);
      expect(['06:30', '06:31', '06:32', '06:33', '06:34']).toContain(hhmm);
    }
  });

  it('jitter: lands in the schedule spec, spreads the next starts of many schedules set for one time, 0 turns it off', async () => {
    const taskQueue = uniqueTaskQueue('sched');
    const herd = Array.from({ length: 8 }, () => connection());
    for (const conn of herd) await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue, jitterSeconds: 600 });
    const offsets = new Set<number>();
    for (const conn of herd) {
      const d = await client.schedule.getHandle(scheduleIdFor(conn.name)).describe();
      expect(d.spec.jitter).toBe(600_000);
      const at = d.info.nextActionTimes[0] as Date;
      // Seconds past 06:30 Paris: within [0, 600).
      const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
      const [hh, mm, ss] = paris.split(':').map(Number) as [number, number, number];
      const offset = (hh - 6) * 3600 + (mm - 30) * 60 + ss;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(600);
      offsets.add(offset);
    }
    expect(offsets.size).toBeGreaterThan(4); // eight schedules do not all start in the same second

    const plain = connection();
    await ensureSchedule(client, { connection: plain, cadence: daily, taskQueue, jitterSeconds: 0 });
    const d = await client.schedule.getHandle(scheduleIdFor(plain.name)).describe();
    expect(d.spec.jitter ?? 0).toBe(0);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d.info.nextActionTimes[0])).toBe('06:30:00');
    await expect(ensureSchedule(client, { connection: plain, cadence: daily, taskQueue, jitterSeconds: 3601 })).rejects.toThrow(/SCHEDULE_JITTER_SECONDS/);
  });

  it('every-4h: a four-hour interval', async () => {
    const conn = connection();
    await ensureSchedule(client, { connection: conn, cadence: { kind: 'every-4h' }, taskQueue: uniqueTaskQueue('sched') });
    const d = await describeSchedule(client, conn.name);
    expect(d?.spec.intervals).toHaveLength(1);
    expect(d?.spec.intervals?.[0]?.every).toBe(4 * 3_600_000);
    expect(d?.spec.calendars ?? []).toEqual([]);
    // A run's retries end before the next slot, even when it started an hour late (catch-up window).
    expect(d?.action.args).toEqual([{ connectionId: conn.id, trigger: 'schedule', budgetMs: 2.5 * 3_600_000 }]);
  });

  it('ensureSchedule twice is one schedule, updated in place, keeping a pause', async () => {
    const conn = connection();
    const taskQueue = uniqueTaskQueue('sched');
    await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue });
    const first = await describeSchedule(client, conn.name);
    await pauseSchedule(client, conn.name, 'payroll freeze');
    expect(await ensureSchedule(client, { connection: conn, cadence: { kind: 'every-4h' }, taskQueue })).toBe('updated');
    const second = await describeSchedule(client, conn.name);
    expect(second?.info.createdAt).toEqual(first?.info.createdAt);
    expect(second?.spec.intervals?.[0]?.every).toBe(4 * 3_600_000);
    expect(second?.spec.calendars ?? []).toEqual([]);
    expect(second?.policies.overlap).toBe('SKIP');
    expect(second?.state).toMatchObject({ paused: true, note: 'Paused: payroll freeze' });
    expect(await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue, paused: false })).toBe('updated');
    expect((await describeSchedule(client, conn.name))?.state).toMatchObject({ paused: false, note: expect.stringContaining('daily at 06:30') });
  });

  it('a trigger starts a sync; a second trigger while it runs is skipped, never run alongside', async () => {
    const conn = connection();
    await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue: uniqueTaskQueue('sched') });
    await triggerSchedule(client, conn.name);
    const running = await waitFor('the first action', async () => (await describeSchedule(client, conn.name))?.info.runningActions[0]);
    expect(running.workflow.workflowId.startsWith(`sync-${conn.name}-`)).toBe(true);
    const wf = await client.workflow.getHandle(running.workflow.workflowId).describe();
    expect(wf.type).toBe('syncConnection');
    expect(wf.status.name).toBe('RUNNING'); // no worker polls this queue, so it stays running

    await triggerSchedule(client, conn.name);
    await triggerSchedule(client, conn.name);
    const info = await waitFor('the skipped triggers', async () => {
      const d = await describeSchedule(client, conn.name);
      return d && d.info.numActionsSkippedOverlap >= 1 ? d.info : undefined;
    });
    expect(info.runningActions).toHaveLength(1);
    expect(info.numActionsTaken).toBe(1);
  });

  it('a paused schedule starts nothing; resumed, it does', async () => {
    const conn = connection();
    await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue: uniqueTaskQueue('sched'), paused: true });
    // Same policies, but a one-second interval, so "nothing started" means something within a few seconds.
    await client.schedule.getHandle(scheduleIdFor(conn.name)).update((prev) => ({ ...prev, spec: { intervals: [{ every: '1s' }] } }));
    await sleep(3_000);
    expect((await describeSchedule(client, conn.name))?.info.numActionsTaken).toBe(0);
    await resumeSchedule(client, conn, null);
    await waitFor('an action after resume', async () => ((await describeSchedule(client, conn.name))?.info.numActionsTaken ?? 0) >= 1);
    await pauseSchedule(client, conn.name);
    const d = await describeSchedule(client, conn.name);
    expect(d?.state.paused).toBe(true);
    expect(d?.info.runningActions.length).toBe(1); // overlap SKIP: the one-second ticks never stack up
  });

  it('deleteSchedule removes it (and says whether there was one)', async () => {
    const conn = connection();
    await ensureSchedule(client, { connection: conn, cadence: daily, taskQueue: uniqueTaskQueue('sched') });
    expect(await deleteSchedule(client, conn.name)).toBe(true);
    await expect(client.schedule.getHandle(scheduleIdFor(conn.name)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await describeSchedule(client, conn.name)).toBeUndefined();
    expect(await deleteSchedule(client, conn.name)).toBe(false);
  });
});
