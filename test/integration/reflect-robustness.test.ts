import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { reportLines } from '../../db/schema.js';
import { addDays } from '../../dev/simulators/data/dates.js';
import { update } from '../../dev/simulators/data/mutations.js';
import { createReflectHarness, expectedReflect, reflectRecords, type ReflectHarness } from '../support/reflect-harness.js';

let h: ReflectHarness;
beforeEach(async () => {
  h = await createReflectHarness({ company: { employees: 40, seed: 3 } });
});
afterEach(async () => h.close());

describe('Reflect robustness on real Temporal, Postgres and the simulators', () => {
  it('a Reflect that takes at most 7 records a request (413 above): every batch is halved until it fits and the run completes; a Swiss employee is paid in CHF', async () => {
    h.reflect.state.setMaxBatch(7);
    const company = h.company();
    // A Swiss establishment: its people's pay items are CHF, though the nature is shared with the French one.
    company.legalEntities.push({ id: 4, name: 'Demo Suisse SA', code: 'CH01' });
    const invalid = new Set(company.invalidUserIds.map((r) => r.userId));
    const swiss = company.users.find((u) => !invalid.has(u.id) && company.fixedItems.some((i) => i.ownerId === u.id) &&
      company.variableItems.some((i) => i.ownerId === u.id && !i.isDeleted));
    if (!swiss) throw new Error('fixture has no employee with fixed and variable pay');
    update(company, swiss.id, { legalEntityId: 4 });

    const { id } = await h.addConnection();
    const summary = await h.sync(id);
    expect(summary.status).toBe('completed');
    expect(summary.message).toBeNull();

    const today = company.clock.today();
    const expected = expectedReflect(company, addDays(today, -358), addDays(today, 358));
    for (const dataset of ['employees', 'compensation', 'absences', 'expenses'] as const) {
      expect(expected[dataset].size, dataset).toBeGreaterThan(7);
      expect(reflectRecords(h.reflect, dataset), dataset).toEqual(expected[dataset]);
    }
    const counts = h.reflect.state.dump().requestCounts.batchUpsert ?? {};
    expect(counts['413']).toBeGreaterThan(0);
    expect(counts['200']).toBeGreaterThanOrEqual(4 * 2);
    const lines = await h.db.db.select().from(reportLines).where(eq(reportLines.runId, summary.runId));
    expect(lines.filter((l) => l.outcome === 'failed')).toEqual([]);

    const pay = [...reflectRecords(h.reflect, 'compensation').values()].filter((c) => c.employee_external_id === String(swiss.id));
    expect(pay.map((c) => c.kind).sort()).toEqual(expect.arrayContaining(['fixed', 'variable']));
    expect(pay.every((c) => c.currency === 'CHF')).toBe(true);
    expect([...reflectRecords(h.reflect, 'compensation').values()].filter((c) => c.currency === 'EUR').length).toBeGreaterThan(0);
  });
});
