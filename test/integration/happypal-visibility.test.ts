/**
 * "Unknown is not empty" and the visibility guard on HappyPal (docs/design.md §3), end to end on real
 * Temporal and Postgres: the Lucca key's role changes between two runs, as a tenant admin would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { loadReport } from '../../client/reports/load-report.js';
import { renderText } from '../../client/reports/render-text.js';
import { syncRuns } from '../../db/schema.js';
import { hire, rename } from '../../dev/simulators/data/mutations.js';
import { FULL_ROLE } from '../../dev/simulators/lucca/fixtures.js';
import type { HiddenAs, Role } from '../../dev/simulators/lucca/roles.js';
import { addDays } from '../../dev/simulators/data/dates.js';
import { currentEmployees, profileOf } from '../support/fixtures.js';
import { createSyncHarness, happyPalWrites, type SyncHarness } from '../support/sync-harness.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness({ company: { employees: 60, seed: 7, invalidShare: 0 } });
});
afterEach(async () => h.close());

const company = () => h.lucca.sim.company('demo');
const setRole = (role: Partial<Role>, hiddenAs?: HiddenAs) => h.lucca.sim.setKeyRole('demo', h.lucca.apiKey, role, hiddenAs);
const profiles = () => h.happypal.state.dump().users;
const birthDates = () => Object.fromEntries(profiles().map((u) => [u.id, u.birth_date]));
const runRow = async (runId: string) => (await h.db.db.select().from(syncRuns).where(eq(syncRuns.id, runId)))[0];

describe('a key that loses "Consult HR files" between two runs', () => {
  it.each(['omitted', 'null'] as const)('hidden as %s: the guard stops the run; confirmed, every birth date stays and the report says why', async (hiddenAs) => {
    const { id } = await h.addConnection();
    const first = await h.sync(id);
    expect(first.status).toBe('completed');
    const before = birthDates();
    expect(Object.values(before).filter((d) => d !== null).length).toBeGreaterThan(40);

    setRole({ ...FULL_ROLE, hrFileSections: false }, hiddenAs);
    const writes = happyPalWrites(h.happypal);
    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toContain('Visibility guard');
    expect(blocked.message).toContain('birthDate had a value for');
    expect(blocked.message).toContain('"Consult HR files" › the section holding the birth date');
    expect(blocked.message).toContain('--confirm-visibility');
    expect(happyPalWrites(h.happypal)).toBe(writes);

    // Confirmed, with a real change elsewhere: the change syncs, the birth dates do not move.
    const [renamed] = currentEmployees(company());
    if (!renamed) throw new Error('no employee');
    rename(company(), renamed.id, { firstName: 'Renamed' });
    const confirmed = await h.sync(id, { confirmVisibility: true });
    expect(confirmed.status).toBe('completed');
    expect(confirmed.counts.updated).toBe(1);
    expect(profileOf(h.happypal, renamed).first_name).toBe('Renamed');
    expect(birthDates()).toEqual(before);
    expect(confirmed.message).toContain('birthDate was not visible to the Lucca key');
    expect(confirmed.message).toContain(hiddenAs === 'null' ? 'null for everyone read' : 'left out by Lucca');
    expect(confirmed.message).toContain('"Consult HR files"');
    const report = renderText(await loadReport(h.db.db, confirmed.runId));
    expect(report).toMatch(/^Message: .*confirmed by the operator\. birthDate was not visible to the Lucca key for 60 employee\(s\)/m);
    expect(report).toContain(`birthDate: ${before[profileOf(h.happypal, renamed).id]} → ${before[profileOf(h.happypal, renamed).id]}  ` +
      '(not visible to the Lucca key: nothing written, the target keeps its value; the key\'s role needs "Consult HR files" › the section holding the birth date)');

    // The confirmed run is the new baseline: the next run is not stopped again, and still writes no birth date.
    const next = await h.sync(id);
    expect(next.status).toBe('completed');
    expect(birthDates()).toEqual(before);
    expect((await runRow(next.runId))?.visibility).toMatchObject({ valued: { birthDate: 0 } });

    // The permission is back: birth dates are known again, nothing to write (they never moved).
    setRole(FULL_ROLE);
    const back = await h.sync(id);
    expect(back).toMatchObject({ status: 'completed', message: null });
    expect(birthDates()).toEqual(before);
  });
});

describe('a key that no longer sees some people trips the visibility guard before any write', () => {
  it('future employees gone: nobody is deactivated until an operator confirms', async () => {
    const today = company().clock.today();
    const hires = [1, 2, 3, 4].map((n) => hire(company(), {
      firstName: `Future${n}`, lastName: 'Hire', birthDate: '1995-03-0' + n, dtContractStart: addDays(today, 20 + n),
    }));
    const { id } = await h.addConnection();
    await h.sync(id);
    for (const u of hires) expect(profileOf(h.happypal, u).status).toBe('active');

    setRole({ ...FULL_ROLE, seeFuture: false });
    const writes = happyPalWrites(h.happypal);
    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toContain('4 future employees returned then, 0 now ("See future employees")');
    expect(happyPalWrites(h.happypal)).toBe(writes);
    for (const u of hires) expect(profileOf(h.happypal, u).status).toBe('active');

    const confirmed = await h.sync(id, { confirmVisibility: true });
    expect(confirmed.status).toBe('completed');
    expect(confirmed.counts.deactivated).toBe(4);
  });

  it('former employees gone: stopped, naming "See former employees"; a confirmed run proceeds', async () => {
    const { id } = await h.addConnection();
    await h.sync(id);
    setRole({ ...FULL_ROLE, seeFormer: false });
    const writes = happyPalWrites(h.happypal);
    const blocked = await h.sync(id);
    expect(blocked.status).toBe('blocked');
    expect(blocked.message).toMatch(/\d+ former employees returned then, 0 now \("See former employees"\)/);
    expect(happyPalWrites(h.happypal)).toBe(writes);
    const confirmed = await h.sync(id, { confirmVisibility: true });
    expect(confirmed.status).toBe('completed');
    expect(profiles().every((u) => u.status === 'active' || u.contract_end !== null)).toBe(true);
  });
});
