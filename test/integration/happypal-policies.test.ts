import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { conflicts, reportLines } from '../../db/schema.js';
import { rename } from '../../dev/simulators/data/mutations.js';
import { currentEmployees, profileOf } from '../support/fixtures.js';
import { createSyncHarness, happyPalWrites, type SyncHarness } from '../support/sync-harness.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 30, seed: 23, invalidShare: 0 } });
});
afterEach(async () => h.close());

const company = () => h.lucca.sim.company('demo');
const lineFor = async (runId: string, sourceId: number) => {
  const [line] = await h.db.db.select().from(reportLines).where(and(eq(reportLines.runId, runId), eq(reportLines.sourceId, String(sourceId))));
  return line;
};

describe('three-way conflict handling per policy (docs/design.md §3)', () => {
  it('a change in Lucca reaches HappyPal and is reported with before → after', async () => {
    const { id } = await h.addConnection();
    await h.sync(id);
    const [someone] = currentEmployees(company());
    if (!someone) throw new Error('no employee');
    const before = profileOf(h.happypal, someone).last_name;
    rename(company(), someone.id, { lastName: 'Nouveau-Nom' });
    const run = await h.sync(id);
    expect(profileOf(h.happypal, someone).last_name).toBe('Nouveau-Nom');
    const line = await lineFor(run.runId, someone.id);
    expect(line?.action).toBe('updated');
    expect(line?.changes).toEqual([expect.objectContaining({ field: 'lastName', before, after: 'Nouveau-Nom' })]);
    expect(run.counts.updated).toBe(1);
  });

  it('lucca-wins overwrites a hand edit and says so', async () => {
    const { id } = await h.addConnection({ defaultPolicy: 'lucca-wins' });
    await h.sync(id);
    const [someone] = currentEmployees(company());
    if (!someone) throw new Error('no employee');
    const profile = profileOf(h.happypal, someone);
    h.happypal.state.handEdit(profile.id, 'first_name', 'Edited-By-Hand', 'hr@client');
    const run = await h.sync(id);
    expect(profileOf(h.happypal, someone).first_name).toBe(someone.firstName);
    const line = await lineFor(run.runId, someone.id);
    expect(line?.action).toBe('overwrote_manual_edit');
    expect(line?.changes).toEqual([
      expect.objectContaining({ field: 'firstName', before: 'Edited-By-Hand', after: someone.firstName, note: 'manual_edit_overwritten' }),
    ]);
  });

  it('target-wins keeps a hand edit, reports it once, and stays quiet while nothing moves', async () => {
    const { id } = await h.addConnection({ defaultPolicy: 'target-wins' });
    await h.sync(id);
    const [someone] = currentEmployees(company());
    if (!someone) throw new Error('no employee');
    h.happypal.state.handEdit(profileOf(h.happypal, someone).id, 'first_name', 'Kept', 'hr@client');
    const writes = happyPalWrites(h.happypal);
    const run = await h.sync(id);
    expect(profileOf(h.happypal, someone).first_name).toBe('Kept');
    expect(happyPalWrites(h.happypal)).toBe(writes);
    expect((await lineFor(run.runId, someone.id))?.action).toBe('kept_manual_edit');
    const again = await h.sync(id);
    expect(await lineFor(again.runId, someone.id)).toBeUndefined();
    expect(profileOf(h.happypal, someone).first_name).toBe('Kept');
    expect(happyPalWrites(h.happypal)).toBe(writes);
  });

  it('review keeps the hand edit and opens a conflict that stays listed until the values converge', async () => {
    const { id } = await h.addConnection({ defaultPolicy: 'review' });
    await h.sync(id);
    const [someone] = currentEmployees(company());
    if (!someone) throw new Error('no employee');
    const profile = profileOf(h.happypal, someone);
    h.happypal.state.handEdit(profile.id, 'last_name', 'Revu', 'hr@client');
    const run = await h.sync(id);
    expect(profileOf(h.happypal, someone).last_name).toBe('Revu');
    expect((await lineFor(run.runId, someone.id))?.action).toBe('conflict');
    const open = () => h.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, id), eq(conflicts.status, 'open')));
    expect(await open()).toEqual([expect.objectContaining({ sourceId: String(someone.id), field: 'lastName', targetValue: 'Revu', sourceValue: someone.lastName })]);
    await h.sync(id);
    expect(await open()).toHaveLength(1); // still listed
    rename(company(), someone.id, { lastName: 'Revu' }); // Lucca now agrees: converged
    await h.sync(id);
    expect(await open()).toHaveLength(0);
    const [closed] = await h.db.db.select().from(conflicts).where(eq(conflicts.connectionId, id));
    expect(closed).toMatchObject({ status: 'resolved', resolution: 'converged' });
  });

  it('a change on both sides is reported with both values (lucca-wins overwrites, per-field target-wins keeps)', async () => {
    const { id } = await h.addConnection({ defaultPolicy: 'lucca-wins', fieldPolicies: { lastName: 'target-wins' } });
    await h.sync(id);
    const [a] = currentEmployees(company());
    if (!a) throw new Error('no employee');
    const profile = profileOf(h.happypal, a);
    const base = profile.first_name;
    h.happypal.state.handEdit(profile.id, 'first_name', 'Hand', 'hr@client');
    h.happypal.state.handEdit(profile.id, 'last_name', 'HandLast', 'hr@client');
    rename(company(), a.id, { firstName: 'Lucca', lastName: 'LuccaLast' });
    const run = await h.sync(id);
    const after = profileOf(h.happypal, a);
    expect(after.first_name).toBe('Lucca');
    expect(after.last_name).toBe('HandLast');
    const line = await lineFor(run.runId, a.id);
    expect(line?.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'firstName', before: 'Hand', after: 'Lucca', source: 'Lucca', base, note: 'both_changed_overwritten' }),
      expect.objectContaining({ field: 'lastName', before: 'HandLast', after: 'HandLast', source: 'LuccaLast', note: 'both_changed_kept' }),
    ]));
  });
});
