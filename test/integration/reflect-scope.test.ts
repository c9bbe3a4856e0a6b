/**
 * Issue 20 on Reflect (real Temporal and Postgres, Lucca and Reflect simulators): a connection's scope
 * governs all four datasets. People outside it get no employee record and none of their
 * compensation, absences or expenses; one who leaves it is ended on Reflect like a leaver (contract
 * end), their later records are not written and what Reflect had of them stays; the preview counts.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ReflectDataset } from '../../activities/targets/reflect/schemas.js';
import { reportLines } from '../../db/schema.js';
import { addExpenseClaim, addLeave, changeSalary, update } from '../../dev/simulators/data/mutations.js';
import { applyScope, previewScope } from '../../services/connection-scope.js';
import type { ServiceContext } from '../../services/connections.js';
import { createReflectHarness, reflectRecords, type ReflectHarness } from '../support/reflect-harness.js';
import { runCli } from '../support/cli-process.js';

let h: ReflectHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const OTHERS: ReflectDataset[] = ['compensation', 'absences', 'expenses'];

const services = (harness: ReflectHarness): ServiceContext => ({
  db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client,
  env: { LUCCA_ALLOWED_HOSTS: ['127.0.0.1'], TEMPORAL_TASK_QUEUE: harness.taskQueue }, actor: { kind: 'os', user: 'test-operator' },
});

/** Owners (Lucca ids) of a dataset's records on Reflect. */
const ownersOn = (harness: ReflectHarness, dataset: ReflectDataset) =>
  new Set([...reflectRecords(harness.reflect, dataset).values()].map((r) => String(r.employee_external_id)));

describe('Reflect: scope', () => {
  it('a scope excluding one legal entity writes none of its people nor their data; leaving the scope ends the employee and stops their data', async () => {
    const harness = (h = await createReflectHarness({ company: { employees: 60, seed: 7 } }));
    const sctx = services(harness);
    const company = harness.company();
    const { id, name } = await harness.addConnection();
    const [kept, excluded] = company.legalEntities;
    if (!kept || !excluded) throw new Error('the fixture needs two legal entities');
    const ofExcluded = company.users.filter((u) => u.legalEntityId === excluded.id);
    expect(ofExcluded.length).toBeGreaterThan(0);

    const preview = await previewScope(sctx, name, { exclude: { legalEntities: [excluded.name] } });
    expect(preview.employees).toEqual({ seen: company.users.length, inScope: company.users.length - ofExcluded.length, outOfScope: ofExcluded.length, notVisible: 0 });
    expect(preview).toMatchObject({ toDeactivate: 0, backInScope: 0 });
    expect(preview.lines.join('\n')).toMatch(/0 employee record\(s\) written to Reflect would be ended/);
    expect(preview.lines.join('\n')).toMatch(/Compensation, absences and expense reports of people outside the scope are not written/);
    // PII-free: no name or email of anyone in the preview's lines.
    for (const u of company.users) expect(preview.lines.join('\n')).not.toContain(u.mail);
    // The CLI previews the same counts, then needs a confirmation (no terminal here: --yes), then saves.
    const refused = await runCli(harness, 'connection', 'scope', name, '--exclude-legal-entity', excluded.name);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('Preview (dry run, nothing changed yet)');
    expect(refused.stdout).toContain(`in the scope: ${company.users.length - ofExcluded.length}; outside: ${ofExcluded.length}`);
    expect(refused.stdout).toContain('0 employee record(s) written to Reflect would be ended');
    for (const u of company.users) expect(refused.stdout).not.toContain(u.mail);
    const applied = await runCli(harness, 'connection', 'scope', name, '--exclude-legal-entity', excluded.name, '--yes');
    expect(applied.code).toBe(0);
    expect((await runCli(harness, 'connection', 'scope', name, '--show')).stdout).toContain(`exclude legal entity: ${excluded.name} (${excluded.id})`);

    const first = await harness.sync(id);
    expect(first.status).toBe('completed');
    const excludedIds = new Set(ofExcluded.map((u) => String(u.id)));
    const employees = reflectRecords(harness.reflect, 'employees');
    expect([...employees.keys()].filter((k) => excludedIds.has(k))).toEqual([]);
    expect(employees.size).toBeGreaterThan(0);
    for (const dataset of OTHERS) {
      const owners = ownersOn(harness, dataset);
      expect([...owners].filter((o) => excludedIds.has(o)), dataset).toEqual([]);
      expect(owners.size, dataset).toBeGreaterThan(0);
    }
    // The run says what the scope left out (counts, no names).
    expect(first.message).toContain(`${ofExcluded.length} employee(s) of people outside the connection's scope were not synced`);
    expect(first.message).toMatch(/expense report\(s\) of people outside the connection's scope were not synced/);

    // One current employee of the kept entity, with pay, leaves and claims on Reflect, moves to the excluded entity.
    const today = () => company.clock.today();
    const hasAll = (userId: string) => OTHERS.every((d) => ownersOn(harness, d).has(userId));
    const mover = company.users.find((u) => u.legalEntityId === kept.id && u.dtContractEnd === null && u.dtContractStart < today()
      && employees.has(String(u.id)) && hasAll(String(u.id)));
    if (!mover) throw new Error('no mover with data in every dataset');
    const moverId = String(mover.id);
    const before = Object.fromEntries(OTHERS.map((d) => [d, [...reflectRecords(harness.reflect, d).values()].filter((r) => r.employee_external_id === moverId)]));

    company.clock.advance(DAY);
    update(company, mover.id, { legalEntityId: excluded.id });
    // Their later data: a new claim, a new leave and a raise, none of which may reach Reflect.
    const claim = addExpenseClaim(company, { ownerId: mover.id, name: 'Salon Lyon', amount: 99, statusId: 3 });
    let monday = new Date(Date.parse(`${today()}T00:00:00Z`) + 14 * DAY).toISOString().slice(0, 10);
    while (new Date(`${monday}T00:00:00Z`).getUTCDay() !== 1) monday = new Date(Date.parse(`${monday}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    const leave = addLeave(company, { ownerId: mover.id, startsOn: monday, endsOn: monday, leaveAccountId: 2 });
    changeSalary(company, mover.id, { amount: 9876, startsOn: monday });

    const second = await harness.sync(id, { full: true });
    expect(second.status).toBe('completed');
    // Ended like a leaver: the record stays, its contract ends the day the sync found them out.
    const ended = reflectRecords(harness.reflect, 'employees').get(moverId);
    expect(ended).toMatchObject({ external_id: moverId, contract_end: today(), first_name: mover.firstName });
    const [line] = await harness.db.db.select().from(reportLines)
      .where(and(eq(reportLines.runId, second.runId), eq(reportLines.dataset, 'employees'), eq(reportLines.sourceId, moverId)));
    expect(line).toMatchObject({
      action: 'deactivated', outcome: 'applied', reasons: [expect.objectContaining({ code: 'out_of_scope' })],
      changes: [{ field: 'contract_end', before: null, after: today() }],
    });
    // Their other data: nothing new, nothing deleted, nothing changed (a full read included).
    expect(reflectRecords(harness.reflect, 'expenses').has(String(claim.id))).toBe(false);
    expect(reflectRecords(harness.reflect, 'absences').has(`${leave.request.leavePeriodId}-2`)).toBe(false);
    for (const d of OTHERS) {
      expect([...reflectRecords(harness.reflect, d).values()].filter((r) => r.employee_external_id === moverId), d).toEqual(before[d]);
    }
    const moverLines = await harness.db.db.select().from(reportLines).where(and(eq(reportLines.runId, second.runId), eq(reportLines.sourceId, moverId)));
    expect(moverLines.map((l) => l.dataset)).toEqual(['employees']);

    // A third run changes nothing more for them.
    company.clock.advance(DAY);
    const third = await harness.sync(id);
    expect(third.status).toBe('completed');
    expect(reflectRecords(harness.reflect, 'employees').get(moverId)).toMatchObject({ contract_end: ended?.contract_end });

    // The preview of clearing the scope: the mover comes back; everyone of the excluded entity is new.
    const written = reflectRecords(harness.reflect, 'employees');
    const cleared = await previewScope(sctx, name, null);
    expect(cleared.employees).toEqual({ seen: company.users.length, inScope: company.users.length, outOfScope: 0, notVisible: 0 });
    expect(cleared.backInScope).toBe(1);
    expect(cleared.newInScope).toBe(company.users.filter((u) => !written.has(String(u.id))).length);
    // The preview of excluding the kept entity too: every one of its people on Reflect would be ended.
    const both = await previewScope(sctx, name, { exclude: { legalEntities: [kept.name, excluded.name] } });
    expect(both.toDeactivate).toBe(company.users.filter((u) => u.legalEntityId === kept.id && written.has(String(u.id))).length);
    expect(both.toDeactivate).toBeGreaterThan(0);
  });
  it('people leaving the scope beyond the deactivation guard are held, written nothing, until the operator confirms', async () => {
    const harness = (h = await createReflectHarness({ company: { employees: 60, seed: 7 } }));
    const sctx = services(harness);
    const company = harness.company();
    const { id, name } = await harness.addConnection();
    const [, excluded] = company.legalEntities;
    if (!excluded) throw new Error('the fixture needs two legal entities');
    expect((await harness.sync(id)).status).toBe('completed');
    const today = company.clock.today();
    const open = (r: Record<string, unknown> | undefined) => r !== undefined && (r.contract_end === null || String(r.contract_end) > today);
    const leaving = company.users.map((u) => String(u.id))
      .filter((u) => company.byId.get(Number(u))?.legalEntityId === excluded.id && open(reflectRecords(harness.reflect, 'employees').get(u)));
    const written = reflectRecords(harness.reflect, 'employees').size;
    expect(leaving.length).toBeGreaterThan(Math.floor(written / 10));

    const preview = await previewScope(sctx, name, { exclude: { legalEntities: [excluded.id] } });
    expect(preview.toDeactivate).toBe(company.users.filter((u) => u.legalEntityId === excluded.id && reflectRecords(harness.reflect, 'employees').has(String(u.id))).length);
    await applyScope(sctx, preview);
    const before = reflectRecords(harness.reflect, 'employees');

    const held = await harness.sync(id);
    expect(held.message).toMatch(new RegExp(`${leaving.length} employees left the connection's scope, more than the 10 % deactivation guard allows`));
    expect(reflectRecords(harness.reflect, 'employees')).toEqual(before);
    const heldLines = await harness.db.db.select().from(reportLines)
      .where(and(eq(reportLines.runId, held.runId), eq(reportLines.dataset, 'employees'), eq(reportLines.action, 'deactivation_held')));
    expect(heldLines.map((l) => l.sourceId).sort()).toEqual([...leaving].sort());

    const confirmed = await harness.sync(id, { confirmDeactivations: true });
    expect(confirmed.status).toBe('completed');
    const after = reflectRecords(harness.reflect, 'employees');
    for (const u of leaving) expect(after.get(u)?.contract_end, u).toBe(today);
    // Nobody in the scope was touched by it.
    for (const [key, record] of after) if (!leaving.includes(key)) expect(record, key).toEqual(before.get(key));
  });
});
