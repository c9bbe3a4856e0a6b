/**
 * Issue 20 on real Temporal and Postgres, against the Lucca and HappyPal simulators: a scope per
 * connection (previewed, then applied) and extra fields mapped to HappyPal custom attributes.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { conflicts, reportLines, syncRuns } from '../../db/schema.js';
import { FULL_ROLE } from '../../dev/simulators/lucca/roles.js';
import { update } from '../../dev/simulators/data/mutations.js';
import { applyMappings, previewMappings, previewScope } from '../../services/connection-scope.js';
import type { ServiceContext } from '../../services/connections.js';
import { ServiceError } from '../../services/errors.js';
import { currentEmployees, profileOf } from '../support/fixtures.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { runCli } from '../support/cli-process.js';

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const services = (harness: SyncHarness): ServiceContext => ({
  db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client,
  env: { LUCCA_ALLOWED_HOSTS: ['127.0.0.1'], TEMPORAL_TASK_QUEUE: harness.taskQueue }, actor: { kind: 'os', user: 'test-operator' },
});
const company = (harness: SyncHarness) => harness.lucca.sim.company('demo');
const lineFor = async (harness: SyncHarness, runId: string, sourceId: number) =>
  (await harness.db.db.select().from(reportLines).where(and(eq(reportLines.runId, runId), eq(reportLines.sourceId, String(sourceId)))))[0];

const MAPPINGS = [
  {
    source: 'extendedData.e_cse_college', target: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'],
    transforms: [{ kind: 'trim' }, { kind: 'lower-case' }],
  },
  { source: 'extendedData.e_badge_date', target: 'badge_date', type: 'date', transforms: [{ kind: 'date-only' }], policy: 'target-wins' },
];

describe('scope', () => {
  it('a scope excluding one legal entity creates none of its people; moving a person out of the scope deactivates them', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 60, seed: 7, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    const [kept, excluded] = company(harness).legalEntities;
    if (!kept || !excluded) throw new Error('the fixture needs two legal entities');

    // An unknown name is a clear error, and nothing is saved.
    await expect(previewScope(sctx, name, { exclude: { legalEntities: ['Nope SARL'] } })).rejects.toThrow(/no legal entity "Nope SARL" is visible to the key/);
    const preview = await previewScope(sctx, name, { exclude: { legalEntities: [excluded.name] } });
    const people = company(harness).users;
    const ofExcluded = people.filter((u) => u.legalEntityId === excluded.id);
    expect(preview.employees).toEqual({ seen: people.length, inScope: people.length - ofExcluded.length, outOfScope: ofExcluded.length, notVisible: 0 });
    expect(preview.lines.join('\n')).toMatch(/0 linked profile\(s\) would be deactivated/);
    // The CLI previews, then needs a confirmation (no terminal here: --yes), then saves.
    const refused = await cli(harness, 'connection', 'scope', name, '--exclude-legal-entity', excluded.name);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('Preview (dry run, nothing changed yet)');
    expect(refused.stderr).toMatch(/needs a confirmation: confirm with --yes/);
    expect((await cli(harness, 'connection', 'scope', name, '--show')).stdout).toContain('every employee the Lucca key sees');
    const applied = await cli(harness, 'connection', 'scope', name, '--exclude-legal-entity', excluded.name, '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`in the scope: ${people.length - ofExcluded.length}; outside: ${ofExcluded.length}`);
    expect((await cli(harness, 'connection', 'scope', name, '--show')).stdout).toContain(`exclude legal entity: ${excluded.name} (${excluded.id})`);

    const first = await harness.sync(id);
    expect(first.status).toBe('completed');
    const emails = new Set([...harness.happypal.state.users.values()].map((u) => u.email.toLowerCase()));
    expect(ofExcluded.length).toBeGreaterThan(0);
    for (const user of ofExcluded) expect(emails.has(user.mail.toLowerCase())).toBe(false);
    expect(currentEmployees(company(harness)).filter((u) => u.legalEntityId === kept.id).every((u) => emails.has(u.mail.toLowerCase()))).toBe(true);

    // One person moves to the excluded legal entity: the preview of a re-applied scope is not needed, the sync sees it.
    const mover = currentEmployees(company(harness)).find((u) => u.legalEntityId === kept.id);
    if (!mover) throw new Error('no mover');
    const profileId = profileOf(harness.happypal, mover).id;
    update(company(harness), mover.id, { legalEntityId: excluded.id });
    const second = await harness.sync(id);
    expect(second.status).toBe('completed');
    expect(profileOf(harness.happypal, mover)).toMatchObject({ id: profileId, status: 'inactive' });
    expect(await lineFor(harness, second.runId, mover.id)).toMatchObject({
      action: 'deactivated', reasons: [expect.objectContaining({ code: 'out_of_scope' })],
    });
    expect(second.counts.deactivated).toBe(1);
  });
});

describe('extra field mappings', () => {
  it('a mapped extendedData field reaches HappyPal with before → after in the report; a hand edit follows its policy', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 30, seed: 11, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    // The attribute must exist on HappyPal first: the preview says so and nothing is saved.
    const early = await previewMappings(sctx, name, MAPPINGS);
    expect(early.targetProblems).toEqual([
      expect.stringContaining('attribute cse_college is not defined on the target'), expect.stringContaining('attribute badge_date is not defined'),
    ]);
    await expect(applyMappings(sctx, early)).rejects.toBeInstanceOf(ServiceError);
    harness.happypal.state.defineAttributes([{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }, { key: 'badge_date', type: 'date' }]);
    const preview = await previewMappings(sctx, name, MAPPINGS);
    expect(preview.targetProblems).toEqual([]);
    expect(preview.perMapping[0]).toMatchObject({ visible: company(harness).users.length, notVisible: 0, misfits: 0 });
    await applyMappings(sctx, preview);

    const first = await harness.sync(id);
    expect(first.status).toBe('completed');
    const [alice, bob] = currentEmployees(company(harness));
    if (!alice || !bob) throw new Error('fixture too small');
    const expectedCollege = alice.id % 4 === 0 ? 'cadres' : 'non-cadres';
    expect(profileOf(harness.happypal, alice).custom_attributes).toEqual({ cse_college: expectedCollege, badge_date: alice.dtContractStart });

    // Lucca changes the value: written, before → after in the report.
    const next = expectedCollege === 'cadres' ? 'non-cadres' : 'cadres';
    update(company(harness), alice.id, { extendedData: { e_cse_college: next === 'cadres' ? 'Cadres' : 'Non-cadres' } });
    const second = await harness.sync(id);
    expect(profileOf(harness.happypal, alice).custom_attributes.cse_college).toBe(next);
    expect(await lineFor(harness, second.runId, alice.id)).toMatchObject({
      action: 'updated', changes: [{ field: 'attr.cse_college', before: expectedCollege, after: next }],
    });

    // Hand edits on HappyPal: badge_date is target-wins (kept), cse_college lucca-wins (overwritten).
    const bobProfile = profileOf(harness.happypal, bob);
    harness.happypal.state.handEdit(bobProfile.id, 'custom_attributes.badge_date', '2001-01-01', 'hr@client');
    harness.happypal.state.handEdit(bobProfile.id, 'custom_attributes.cse_college', bobProfile.custom_attributes.cse_college === 'cadres' ? 'non-cadres' : 'cadres', 'hr@client');
    const third = await harness.sync(id);
    expect(profileOf(harness.happypal, bob).custom_attributes).toEqual({ badge_date: '2001-01-01', cse_college: bobProfile.custom_attributes.cse_college });
    const line = await lineFor(harness, third.runId, bob.id);
    expect(line?.action).toBe('overwrote_manual_edit');
    expect(line?.also).toContain('kept_manual_edit');
    expect(line?.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'attr.badge_date', before: '2001-01-01', after: '2001-01-01', note: 'manual_edit_kept' }),
      expect.objectContaining({ field: 'attr.cse_college', after: bobProfile.custom_attributes.cse_college, note: 'manual_edit_overwritten' }),
    ]));
  });
});

const cli = runCli;

describe('permission diagnosis', () => {
  it('a key without the section: connection test names "Consult HR files" → select the relevant section; at run time the value is not visible, never written as empty', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 30, seed: 13, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    harness.happypal.state.defineAttributes([{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }, { key: 'badge_date', type: 'date' }]);
    await applyMappings(sctx, await previewMappings(sctx, name, MAPPINGS));
    expect((await harness.sync(id)).status).toBe('completed');
    const [alice] = currentEmployees(company(harness));
    if (!alice) throw new Error('fixture too small');
    const before = profileOf(harness.happypal, alice).custom_attributes;
    expect(before.cse_college).toBeDefined();

    const ok = await cli(harness, 'connection', 'test', name);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Mapped field extendedData.e_cse_college → cse_college: visible');

    // The key's role loses the "Avantages CSE" section (it keeps "État civil", so birth dates stay visible).
    harness.lucca.sim.setKeyRole('demo', harness.lucca.apiKey, { ...FULL_ROLE, hrSections: ['État civil'] });
    const diagnosed = await cli(harness, 'connection', 'test', name);
    expect(diagnosed.code).toBe(1);
    expect(diagnosed.stdout).toMatch(/FAIL {2}Mapped field extendedData\.e_cse_college → cse_college is not visible to the key: in Lucca, open the key's role .*Co-workers tab, "Consult HR files" → select the relevant section \(the one holding e_cse_college\)/);
    expect(diagnosed.stdout).toContain('Mapped field extendedData.e_badge_date → badge_date is not visible');

    // At run time: nothing is written for the hidden values (HappyPal keeps them), and the run says why.
    update(company(harness), alice.id, { extendedData: { e_cse_college: null } });
    const run = await harness.sync(id);
    expect(run.status).toBe('completed');
    expect(profileOf(harness.happypal, alice).custom_attributes).toEqual(before);
    expect(await lineFor(harness, run.runId, alice.id)).toBeUndefined();
    const [row] = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.id, run.runId));
    expect(row?.message ?? '').toMatch(/custom attribute cse_college \(extendedData\.e_cse_college\) was not visible to the Lucca key for \d+ employee\(s\); nothing was written for it/);
  });
});

describe('conflicts on a mapped attribute', () => {
  it('a hand edit under review opens an attr.* conflict through a real sync; `conflicts resolve` picks a side and the next sync applies it', async () => {
    const harness = (h = await createSyncHarness({ company: { employees: 20, seed: 29, invalidShare: 0 } }));
    const sctx = services(harness);
    const { id, name } = await harness.addConnection();
    harness.happypal.state.defineAttributes([{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }]);
    await applyMappings(sctx, await previewMappings(sctx, name, [{ ...MAPPINGS[0], policy: 'review' }]));
    expect((await harness.sync(id)).status).toBe('completed');
    const [alice, bob] = currentEmployees(company(harness));
    if (!alice || !bob) throw new Error('fixture too small');
    const college = (u: typeof alice) => profileOf(harness.happypal, u).custom_attributes.cse_college as string;
    const other = (v: string) => (v === 'cadres' ? 'non-cadres' : 'cadres');
    const [aliceLucca, bobLucca] = [college(alice), college(bob)];

    // Hand edits on HappyPal, under review: kept, and a conflict opened for each.
    harness.happypal.state.handEdit(profileOf(harness.happypal, alice).id, 'custom_attributes.cse_college', other(aliceLucca), 'hr@client');
    harness.happypal.state.handEdit(profileOf(harness.happypal, bob).id, 'custom_attributes.cse_college', other(bobLucca), 'hr@client');
    const second = await harness.sync(id);
    expect(second.status).toBe('completed');
    expect([college(alice), college(bob)]).toEqual([other(aliceLucca), other(bobLucca)]);
    expect(await lineFor(harness, second.runId, alice.id)).toMatchObject({
      action: 'conflict', changes: [expect.objectContaining({ field: 'attr.cse_college', before: other(aliceLucca), after: other(aliceLucca), note: 'conflict' })],
    });
    const open = await harness.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, id), eq(conflicts.status, 'open')));
    expect(open.map((c) => `${c.sourceId}:${c.field}`).sort()).toEqual([`${alice.id}:attr.cse_college`, `${bob.id}:attr.cse_college`].sort());
    const aliceConflict = open.find((c) => c.sourceId === String(alice.id));
    const bobConflict = open.find((c) => c.sourceId === String(bob.id));
    expect(aliceConflict).toMatchObject({ baseValue: aliceLucca, sourceValue: aliceLucca, targetValue: other(aliceLucca) });
    const listed = await cli(harness, 'conflicts', 'list', name);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('attr.cse_college');

    // The HR admin picks: Lucca's value for Alice, HappyPal's for Bob (the real CLI).
    const keepLucca = await cli(harness, 'conflicts', 'resolve', String(aliceConflict?.id), '--keep', 'lucca');
    expect(keepLucca).toMatchObject({ code: 0, stdout: expect.stringContaining("the next sync writes Lucca's attr.cse_college to HappyPal") });
    const keepHappyPal = await cli(harness, 'conflicts', 'resolve', String(bobConflict?.id), '--keep', 'happypal');
    expect(keepHappyPal).toMatchObject({ code: 0, stdout: expect.stringContaining('its attr.cse_college is kept') });
    expect(await harness.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, id), eq(conflicts.status, 'open')))).toEqual([]);

    const third = await harness.sync(id);
    expect(third.status).toBe('completed');
    expect([college(alice), college(bob)]).toEqual([aliceLucca, other(bobLucca)]);
    expect(await lineFor(harness, third.runId, alice.id)).toMatchObject({
      action: 'updated', changes: [expect.objectContaining({ field: 'attr.cse_college', before: other(aliceLucca), after: aliceLucca })],
    });
    expect(await lineFor(harness, third.runId, bob.id)).toBeUndefined();
    // Settled: neither side moves, nothing is written or reopened.
    const fourth = await harness.sync(id);
    expect(fourth.status).toBe('completed');
    expect(await lineFor(harness, fourth.runId, alice.id)).toBeUndefined();
    expect(await lineFor(harness, fourth.runId, bob.id)).toBeUndefined();
    expect([college(alice), college(bob)]).toEqual([aliceLucca, other(bobLucca)]);
    expect(await harness.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, id), eq(conflicts.status, 'open')))).toEqual([]);
  });
});
