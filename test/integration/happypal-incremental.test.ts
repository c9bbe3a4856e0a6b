import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { datasetCursors, reportLines } from '../../db/schema.js';
import { endContract, remove, rename } from '../../dev/simulators/data/mutations.js';
import { currentEmployees, profileOf } from '../support/fixtures.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, happyPalWrites, type SyncHarness } from '../support/sync-harness.js';

/**
 * Incremental reads (activities/sync/incremental.ts) on real Temporal, Postgres and the simulators,
 * with `deps.now` on the Lucca model's clock: a resync reads what Lucca stamped as modified since
 * the connection's cursor (Paris wall time), the contracts that ended in between and the records to
 * re-judge, and reads HappyPal only for those people; the periodic full read catches what that
 * cannot see.
 */
let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 60, seed: 21 } });
});
afterEach(async () => h.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const company = () => h.lucca.sim.company('demo');
const today = () => company().clock.today();
const lines = (runId: string) => h.db.db.select().from(reportLines).where(eq(reportLines.runId, runId));
const cursorOf = async (connectionId: string) =>
  (await h.db.db.select().from(datasetCursors).where(and(eq(datasetCursors.connectionId, connectionId), eq(datasetCursors.dataset, 'employees'))))[0];
/** Requests HappyPal served on one endpoint (every status). */
const happypalRequests = (endpoint: string) => Object.values(h.happypal.state.dump().requestCounts[endpoint] ?? {}).reduce((a, b) => a + b, 0);
const luccaUserRequests = () => Object.values(h.lucca.sim.stats.snapshot().byEndpoint.users?.byStatus ?? {}).reduce((a, b) => a + b, 0);

describe('incremental resyncs (HappyPal)', () => {
  it('read only what changed, pick up a change, and miss nothing at the cursor: a change stamped exactly at it, and one in the autumn repeated hour', async () => {
    const { id } = await h.addConnection({ fullReadDays: 7 });
    const invalid = company().invalidUserIds.length;
    expect(invalid).toBeGreaterThan(0);
    const first = await h.sync(id);
    expect(first.status).toBe('completed');
    const firstAt = company().clock.now();
    expect(await cursorOf(id)).toMatchObject({ lastSince: new Date(firstAt), lastFullReadAt: new Date(firstAt) });
    const pagesBefore = happypalRequests('listUsers');

    // A no-op resync: Lucca returns only the quarantined records (re-judged every run, still listed); no HappyPal page is read.
    company().clock.advance(HOUR);
    const writes = happyPalWrites(h.happypal);
    const noop = await h.sync(id);
    expect(noop).toMatchObject({ status: 'completed', counts: { read: invalid, quarantined: invalid } });
    expect(happyPalWrites(h.happypal)).toBe(writes);
    expect(happypalRequests('getUser')).toBe(0);
    expect(happypalRequests('listUsers') - pagesBefore).toBeLessThanOrEqual(invalid); // email lookups of the quarantined, never a page
    expect(await cursorOf(id)).toMatchObject({ lastSince: new Date(firstAt + HOUR), lastFullReadAt: new Date(firstAt) });

    // A change is picked up, and only that person's profile is read.
    const [a, b, c] = currentEmployees(company()).slice(3, 6);
    if (!a || !b || !c) throw new Error('fixture too small');
    company().clock.advance(HOUR);
    rename(company(), a.id, { lastName: 'Incrémental' });
    const changed = await h.sync(id);
    expect(changed.counts).toMatchObject({ updated: 1, read: invalid + 1 });
    expect(profileOf(h.happypal, a).last_name).toBe('Incrémental');
    expect(happypalRequests('getUser')).toBe(1);
    const cursorAt = company().clock.now();
    expect((await cursorOf(id))?.lastSince).toEqual(new Date(cursorAt));

    // Stamped exactly at the cursor's instant (the clock has not moved since that run started reading): read.
    rename(company(), b.id, { firstName: 'Pile' });
    expect(b.modifiedAt).toBe(cursorAt);
    const boundary = await h.sync(id);
    expect(boundary.counts.updated).toBe(1);
    expect(profileOf(h.happypal, b).first_name).toBe('Pile');

    // The autumn change: a run at 02:45 CEST (first pass), a change at 02:30 CET (second pass, 45 minutes later).
    company().clock.set('2025-10-26T00:45:00.000Z'); // weeks later: a full read is due, the cursor lands at 02:45 CEST
    const dstFull = await h.sync(id);
    expect(dstFull.status).toBe('completed');
    expect((await cursorOf(id))?.lastFullReadAt).toEqual(new Date('2025-10-26T00:45:00.000Z'));
    company().clock.set('2025-10-26T01:30:00.000Z');
    rename(company(), c.id, { lastName: 'Heure-Répétée' });
    const dst = await h.sync(id);
    expect((await cursorOf(id))?.lastFullReadAt).toEqual(new Date('2025-10-26T00:45:00.000Z')); // incremental
    expect(dst.counts.updated).toBe(1);
    expect(profileOf(h.happypal, c).last_name).toBe('Heure-Répétée');
    // What Lucca served: c's stamp is an earlier wall time than the cursor's.
    expect(new Date(c.modifiedAt).toISOString()).toBe('2025-10-26T01:30:00.000Z');
    expect(luccaUserRequests()).toBeGreaterThan(0);
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expectedActiveProfiles(company(), today()));
  });

  it('a contract that ends between two runs without a change in Lucca is deactivated by the incremental run', async () => {
    const { id } = await h.addConnection({ fullReadDays: 7 });
    const leaver = currentEmployees(company())[7];
    if (!leaver) throw new Error('fixture too small');
    // Entered in Lucca before the first sync, effective in two days: nothing changes in Lucca after this.
    endContract(company(), leaver.id, addDays(today(), 1));
    company().clock.advance(HOUR);
    await h.sync(id);
    expect(profileOf(h.happypal, leaver).status).toBe('active');
    company().clock.advance(3 * DAY); // the contract ended yesterday
    const run = await h.sync(id);
    expect((await cursorOf(id))?.lastFullReadAt?.getTime()).toBeLessThan(company().clock.now()); // an incremental run
    expect(run.counts.deactivated).toBe(1);
    expect(profileOf(h.happypal, leaver).status).toBe('inactive');
  });

  it('the periodic full read catches what the filter cannot see: a person Lucca no longer returns, and a hand edit on HappyPal', async () => {
    const { id } = await h.addConnection({ fullReadDays: 7 });
    await h.sync(id);
    const fullAt = company().clock.now();
    const [gone, edited] = currentEmployees(company()).slice(10, 12);
    if (!gone || !edited) throw new Error('fixture too small');
    const editedProfile = profileOf(h.happypal, edited);
    remove(company(), gone.id);
    h.happypal.state.handEdit(editedProfile.id, 'last_name', 'Édité-à-la-main', 'hr');

    // Incremental runs for six days: neither is seen (the documented cost of reading less).
    for (let day = 1; day <= 6; day++) {
      company().clock.advance(DAY);
      const run = await h.sync(id);
      expect(run.counts.deactivated ?? 0).toBe(0);
      expect(run.counts.overwrote_manual_edit ?? 0).toBe(0);
    }
    expect(profileOf(h.happypal, gone).status).toBe('active');
    expect(profileOf(h.happypal, edited).last_name).toBe('Édité-à-la-main');
    expect((await cursorOf(id))?.lastFullReadAt).toEqual(new Date(fullAt));

    // Seven days after the last full read: the next run reads everything.
    company().clock.advance(DAY);
    const full = await h.sync(id);
    expect((await cursorOf(id))?.lastFullReadAt).toEqual(new Date(company().clock.now()));
    expect(full.counts).toMatchObject({ deactivated: 1, overwrote_manual_edit: 1 });
    const byId = new Map((await lines(full.runId)).map((l) => [l.sourceId, l]));
    expect(byId.get(String(gone.id))?.reasons).toEqual([expect.objectContaining({ code: 'not_returned_by_lucca' })]);
    expect(profileOf(h.happypal, gone).status).toBe('inactive');
    expect(profileOf(h.happypal, edited).last_name).toBe(edited.lastName);
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expectedActiveProfiles(company(), today()));
  });

  it('`sync run --full` reads everything at once, and a dry run or a blocked run leaves the cursor where it was', async () => {
    const { id } = await h.addConnection({ fullReadDays: 7 });
    await h.sync(id);
    const cursor = await cursorOf(id);
    const gone = currentEmployees(company())[12];
    if (!gone) throw new Error('fixture too small');
    remove(company(), gone.id);
    company().clock.advance(HOUR);
    const dry = await h.sync(id, { dryRun: true, full: true });
    expect(dry.counts).toMatchObject({ deactivated: 1 });
    expect(await cursorOf(id)).toEqual(cursor);
    const incremental = await h.sync(id);
    expect(incremental.counts.deactivated ?? 0).toBe(0);
    const full = await h.sync(id, { full: true });
    expect(full.counts.deactivated).toBe(1);
    expect(profileOf(h.happypal, gone).status).toBe('inactive');
    expect((await cursorOf(id))?.lastFullReadAt).toEqual(new Date(company().clock.now()));
  });
});

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
