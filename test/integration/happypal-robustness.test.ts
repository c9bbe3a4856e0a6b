import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { quarantine, reportLines } from '../../db/schema.js';
import type { LuccaUser } from '../../dev/simulators/data/types.js';
import { rename } from '../../dev/simulators/data/mutations.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 60, seed: 11 } });
});
afterEach(async () => h.close());

const company = () => h.lucca.sim.company('demo');
const lineOf = async (runId: string, sourceId: number) =>
  (await h.db.db.select().from(reportLines).where(and(eq(reportLines.runId, runId), eq(reportLines.sourceId, String(sourceId)))))[0];
const profileOf = (u: LuccaUser) => {
  const found = [...h.happypal.state.users.values()].find((p) => p.external_id === String(u.id));
  if (!found) throw new Error(`no profile for ${u.id}`);
  return found;
};

describe('HappyPal robustness on real Temporal, Postgres and the simulators', () => {
  it('a 400 on one record and a profile with a status HappyPal added later: each affects that record only, the run completes; fixed, both sync', async () => {
    const { id } = await h.addConnection();
    const first = await h.sync(id);
    expect(first.status).toBe('completed');

    const today = company().clock.today();
    const invalid = new Set(company().invalidUserIds.map((r) => r.userId));
    const current = company().users.filter((u) => !invalid.has(u.id) && u.dtContractStart <= today && (u.dtContractEnd === null || u.dtContractEnd >= today));
    const [refused, odd, plain] = current;
    if (!refused || !odd || !plain) throw new Error('fixture has too few current employees');
    for (const u of [refused, odd, plain]) rename(company(), u.id, { lastName: `Renommé${u.id}` });
    h.happypal.state.reject(refused.mail, 400);
    const oddProfile = profileOf(odd);
    h.happypal.state.setUnknownStatus(oddProfile.id, 'suspended');

    const second = await h.sync(id);
    expect(second.status).toBe('completed');
    expect(second.counts).toMatchObject({ updated: 1, error: 1 });
    const refusedLine = await lineOf(second.runId, refused.id);
    expect(refusedLine).toMatchObject({ outcome: 'failed', action: 'error', also: ['updated'] });
    expect(refusedLine?.error).toMatch(/HappyPal refused the record \(400\): bad_request \(fields: email\)/);
    expect(refusedLine?.error).not.toContain(refused.mail);
    expect(await lineOf(second.runId, odd.id)).toMatchObject({ action: 'quarantined', outcome: 'reported', plan: null });
    const [held] = await h.db.db.select().from(quarantine).where(eq(quarantine.sourceId, String(odd.id)));
    expect(held?.reasons).toEqual([{ code: 'target_profile_unreadable', message: expect.stringMatching(new RegExp(`profile ${oddProfile.id} .*status \\(invalid_value\\)`)) }]);
    // Nothing was written over the odd profile; the others moved on.
    expect(profileOf(odd)).toMatchObject({ last_name: oddProfile.last_name, status: 'suspended', updated_at: oddProfile.updated_at });
    expect(profileOf(refused).last_name).not.toBe(`Renommé${refused.id}`);
    expect(profileOf(plain).last_name).toBe(`Renommé${plain.id}`);

    // HappyPal accepts the record again and the profile is readable again: both sync, the quarantine clears.
    h.happypal.state.reject(refused.mail, null);
    h.happypal.state.setUnknownStatus(oddProfile.id, 'active');
    const third = await h.sync(id);
    expect(third.status).toBe('completed');
    expect(third.counts).toMatchObject({ updated: 2 });
    expect(third.counts.error ?? 0).toBe(0);
    expect(profileOf(refused).last_name).toBe(`Renommé${refused.id}`);
    expect(profileOf(odd).last_name).toBe(`Renommé${odd.id}`);
    expect(await h.db.db.select().from(quarantine).where(eq(quarantine.sourceId, String(odd.id)))).toEqual([]);
  });
});
