import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { quarantine, reportLines, syncRuns } from '../../db/schema.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, happyPalWrites, type SyncHarness } from '../support/sync-harness.js';
import { runEvents } from '../support/run-history.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 60, seed: 11 } });
});
afterEach(async () => h.close());

const company = () => h.lucca.sim.company('demo');
const today = () => company().clock.today();
const lines = (runId: string) => h.db.db.select().from(reportLines).where(eq(reportLines.runId, runId));

describe('HappyPal sync on real Temporal, Postgres and the simulators', () => {
  it('first sync creates every valid employee, attaches existing profiles by email, quarantines bad records; a resync writes nothing', async () => {
    const someone = company().users.find((u) => u.dtContractEnd === null && !company().invalidUserIds.some((r) => r.userId === u.id));
    if (!someone) throw new Error('fixture has no current employee');
    const existing = h.happypal.state.seedUser({
      first_name: someone.firstName, last_name: someone.lastName ?? 'X', email: `  ${someone.mail.toUpperCase()} `, by: 'hr',
    });
    const { id } = await h.addConnection();

    const first = await h.sync(id);
    expect(first.status).toBe('completed');
    const users = h.happypal.state.dump().users;
    expect(activeProfilesByEmail(users)).toEqual(expectedActiveProfiles(company(), today()));
    expect(users.filter((u) => u.id === existing.id)).toHaveLength(1); // attached, not duplicated
    const report = await lines(first.runId);
    expect(report.find((l) => l.sourceId === String(someone.id))?.action).toBe('attached');
    expect(first.counts.created).toBe(expectedActiveProfiles(company(), today()).size - 1);
    expect(first.counts.attached).toBe(1);

    const invalid = company().invalidUserIds;
    expect(invalid.length).toBeGreaterThan(0);
    expect(first.counts.quarantined).toBe(invalid.length);
    const stored = await h.db.db.select().from(quarantine);
    for (const bad of invalid) expect(stored.some((q) => q.sourceId === String(bad.userId))).toBe(true);

    const writesBefore = happyPalWrites(h.happypal);
    const second = await h.sync(id);
    expect(second.status).toBe('completed');
    expect(happyPalWrites(h.happypal)).toBe(writesBefore);
    expect(second.counts.created ?? 0).toBe(0);
    expect(second.counts.updated ?? 0).toBe(0);
    expect(second.counts.quarantined).toBe(invalid.length); // still listed, tried again each run
  });

  it('a dry run reports the whole plan and writes nothing to HappyPal', async () => {
    const { id } = await h.addConnection();
    const summary = await h.sync(id, { dryRun: true });
    expect(summary).toMatchObject({ status: 'completed', dryRun: true });
    expect(happyPalWrites(h.happypal)).toBe(0);
    const planned = await lines(summary.runId);
    expect(planned.filter((l) => l.action === 'created' && l.outcome === 'planned')).toHaveLength(expectedActiveProfiles(company(), today()).size);
  });

  it('a 401 from Lucca fails the run at once with a message naming the cause and the fix', async () => {
    const { id } = await h.addConnection({ luccaKey: 'a-key-lucca-never-issued' });
    const started = Date.now();
    const handle = await h.start(id);
    const error = await h.withWorker(() => handle.result().then(() => null, (err: unknown) => err));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/Lucca refused the API key \(401\).*Generate a new key/);
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId));
    expect(run?.status).toBe('failed');
    expect(run?.message).toMatch(/401/);
    const events = await runEvents(handle);
    const attempts = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    expect(attempts.length).toBeGreaterThan(0);
    expect(Math.max(...(attempts))).toBe(1); // not retried
  });

  it('refuses to send the target key to an internal address, at run time too, without retrying', async () => {
    // Stored without the CLI's check (an older row, or a changed allow-list): the worker checks again.
    const { id } = await h.addConnection({ targetUrl: 'https://169.254.169.254/latest' });
    const handle = await h.start(id);
    const error = await h.withWorker(() => handle.result().then(() => null, (err: unknown) => err));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/169\.254\.169\.254 is a link-local address .*LUCCA_ALLOWED_HOSTS/);
    const events = await runEvents(handle);
    const attempts = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    expect(Math.max(...(attempts))).toBe(1); // not retried
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, handle.workflowId));
    expect(run?.status).toBe('failed');
  });

  it('waits out a 429 storm from Lucca and from HappyPal instead of failing', async () => {
    h.lucca.sim.faults.set('users', { burst429: 3, retryAfterSeconds: 1 });
    h.happypal.faults.set('createUser', { burst429: 5, retryAfterSeconds: 1 });
    const { id } = await h.addConnection();
    const summary = await h.sync(id);
    expect(summary.status).toBe('completed');
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expectedActiveProfiles(company(), today()));
    const counts = h.happypal.state.dump().requestCounts;
    expect(counts.createUser?.['429']).toBe(5);
    const [run] = await h.db.db.select().from(syncRuns).where(and(eq(syncRuns.id, summary.runId)));
    expect(run?.status).toBe('completed');
  });
});
