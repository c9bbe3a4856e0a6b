import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { reportLines, syncRuns } from '../../db/schema.js';
import { endContract, rehire, remove } from '../../dev/simulators/data/mutations.js';
import { currentEmployees, daysBefore, profileOf } from '../support/fixtures.js';
import { createSyncHarness, happyPalWrites, type SyncHarness } from '../support/sync-harness.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 40, seed: 31, invalidShare: 0 } });
});
afterEach(async () => h.close());

const company = () => h.lucca.sim.company('demo');
const lineFor = async (runId: string, sourceId: number) =>
  (await h.db.db.select().from(reportLines).where(and(eq(reportLines.runId, runId), eq(reportLines.sourceId, String(sourceId)))))[0];

describe('lifecycle: contract end, rehire, removal and the mass-deactivation guard', () => {
  it('deactivates at contract end (never deletes) and reactivates the same profile on rehire', async () => {
    const { id } = await h.addConnection();
    await h.sync(id);
    const [leaver] = currentEmployees(company());
    if (!leaver) throw new Error('no employee');
    const profileId = profileOf(h.happypal, leaver).id;
    const today = company().clock.today();

    endContract(company(), leaver.id, daysBefore(today, 1));
    const ended = await h.sync(id);
    expect(profileOf(h.happypal, leaver)).toMatchObject({ id: profileId, status: 'inactive', contract_end: daysBefore(today, 1) });
    expect((await lineFor(ended.runId, leaver.id))?.action).toBe('deactivated');
    expect(ended.counts.deactivated).toBe(1);

    rehire(company(), leaver.id, today);
    const back = await h.sync(id);
    expect(profileOf(h.happypal, leaver)).toMatchObject({ id: profileId, status: 'active', contract_end: null, contract_start: today });
    expect((await lineFor(back.runId, leaver.id))?.action).toBe('reactivated');
    expect(h.happypal.state.dump().users.filter((u) => u.id === profileId)).toHaveLength(1);
  });

  it('deactivates an employee Lucca no longer returns, under the guard', async () => {
    const { id } = await h.addConnection();
    await h.sync(id);
    const [gone] = currentEmployees(company());
    if (!gone) throw new Error('no employee');
    remove(company(), gone.id);
    const run = await h.sync(id);
    expect(profileOf(h.happypal, gone).status).toBe('inactive');
    const line = await lineFor(run.runId, gone.id);
    expect(line?.action).toBe('deactivated');
    expect(line?.reasons).toEqual([expect.objectContaining({ code: 'not_returned_by_lucca' })]);
  });

  it('stops before writing when deactivations pass the guard, and an explicit confirmation lets them through', async () => {
    const { id } = await h.addConnection();
    const first = await h.sync(id);
    const linked = first.counts.created ?? 0;
    const leaving = currentEmployees(company()).slice(0, Math.ceil(linked * 0.2));
    for (const user of leaving) remove(company(), user.id);
    const writes = happyPalWrites(h.happypal);

    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toMatch(new RegExp(`${leaving.length} of ${linked} linked profiles .* above the 10 % threshold.*--confirm-deactivations`));
    expect(happyPalWrites(h.happypal)).toBe(writes);
    for (const user of leaving) expect(profileOf(h.happypal, user).status).toBe('active');
    const [run] = await h.db.db.select().from(syncRuns).where(eq(syncRuns.id, blocked.runId));
    expect(run).toMatchObject({ status: 'blocked' });

    const confirmed = await h.sync(id, { confirmDeactivations: true });
    expect(confirmed.status).toBe('completed');
    expect(confirmed.counts.deactivated).toBe(leaving.length);
    for (const user of leaving) expect(profileOf(h.happypal, user).status).toBe('inactive');
  });
});
