/**
 * "Unknown is not empty" and the visibility guard on the Reflect employees dataset (docs/design.md §3):
 * Reflect upserts replace the whole record, so a field the Lucca key cannot see must carry what we
 * last wrote, never null. The key's role changes between two runs, as a tenant admin would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { datasetCursors, reportLines } from '../../db/schema.js';
import { rename } from '../../dev/simulators/data/mutations.js';
import { FULL_ROLE } from '../../dev/simulators/lucca/fixtures.js';
import type { HiddenAs, Role } from '../../dev/simulators/lucca/roles.js';
import { createReflectHarness, REFLECT_LUCCA_KEY, reflectRecords, type ReflectHarness } from '../support/reflect-harness.js';

const DAY = 86_400_000;
let h: ReflectHarness;
beforeEach(async () => {
  h = await createReflectHarness({ company: { employees: 40, seed: 3 } });
});
afterEach(async () => h.close());

const setRole = (role: Partial<Role>, hiddenAs?: HiddenAs) => h.lucca.sim.setKeyRole('demo', REFLECT_LUCCA_KEY, role, hiddenAs);
const employees = () => reflectRecords(h.reflect, 'employees');
const birthDates = () => Object.fromEntries([...employees()].map(([id, r]) => [id, r.birth_date]));

describe('Reflect employees and a key that loses "Consult HR files"', () => {
  it.each(['omitted', 'null'] as const)('hidden as %s: a full read is stopped by the guard; confirmed, every birth date stays', async (hiddenAs) => {
    const { id } = await h.addConnection({ fullReadDays: 0 }); // every run a full read
    expect((await h.sync(id)).status).toBe('completed');
    const before = birthDates();
    expect(Object.values(before).filter((d) => typeof d === 'string').length).toBeGreaterThan(30);
    const [cursor] = await h.db.db.select().from(datasetCursors).where(and(eq(datasetCursors.connectionId, id), eq(datasetCursors.dataset, 'employees')));

    setRole({ ...FULL_ROLE, hrFileSections: false }, hiddenAs);
    h.company().clock.advance(DAY);
    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toContain('employees: Visibility guard');
    expect(blocked.message).toContain('"Consult HR files" › the section holding the birth date');
    expect(birthDates()).toEqual(before);
    const section = await h.db.db.select().from(reportLines).where(and(eq(reportLines.runId, blocked.runId), eq(reportLines.dataset, 'employees')));
    expect(section.filter((l) => l.outcome === 'applied')).toEqual([]);
    expect(section.find((l) => l.action === 'visibility_blocked')?.error).toContain('--confirm-visibility');
    // The section moved no cursor: the next run reads it again.
    const [held] = await h.db.db.select().from(datasetCursors).where(and(eq(datasetCursors.connectionId, id), eq(datasetCursors.dataset, 'employees')));
    expect(held?.lastSince).toEqual(cursor?.lastSince);

    const renamed = h.company().users.find((u) => employees().has(String(u.id)));
    if (!renamed) throw new Error('no employee');
    rename(h.company(), renamed.id, { firstName: 'Renamed' });
    h.company().clock.advance(DAY);
    const confirmed = await h.sync(id, { confirmVisibility: true });
    expect(confirmed.status).toBe('completed');
    expect(employees().get(String(renamed.id))).toMatchObject({ first_name: 'Renamed', birth_date: before[String(renamed.id)] });
    expect(birthDates()).toEqual(before);
    expect(confirmed.message).toContain('birthDate was not visible to the Lucca key');
    expect(confirmed.message).toContain('"Consult HR files"');
  });

  it('an incremental read with birth dates served as null: the records read keep their birth dates', async () => {
    const { id } = await h.addConnection(); // weekly full read: the next runs are incremental
    expect((await h.sync(id)).status).toBe('completed');
    const before = birthDates();
    setRole({ ...FULL_ROLE, hrFileSections: false }, 'null');
    const two = h.company().users.filter((u) => employees().has(String(u.id))).slice(0, 2);
    for (const u of two) rename(h.company(), u.id, { lastName: 'Renamed' });
    h.company().clock.advance(DAY);
    const daily = await h.sync(id);
    expect(daily.status).toBe('completed');
    for (const u of two) expect(employees().get(String(u.id))).toMatchObject({ last_name: 'Renamed', birth_date: before[String(u.id)] });
    expect(birthDates()).toEqual(before);
  });
});

describe('Reflect employees and a key that no longer sees former employees', () => {
  it('the guard stops the section before any deletion; a confirmed run proceeds', async () => {
    const { id } = await h.addConnection({ fullReadDays: 0 });
    expect((await h.sync(id)).status).toBe('completed');
    const count = employees().size;
    setRole({ ...FULL_ROLE, seeFormer: false });
    h.company().clock.advance(DAY);
    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toMatch(/\d+ former employees returned then, 0 now \("See former employees"\)/);
    expect(employees().size).toBe(count);
    h.company().clock.advance(DAY);
    const confirmed = await h.sync(id, { confirmVisibility: true, confirmDeactivations: true });
    expect(confirmed.status).toBe('completed');
    expect(employees().size).toBeLessThan(count);
  });
});
