/**
 * Issue 20 on Reflect (real Temporal and Postgres): a mapped extendedData field reaches Reflect employees,
 * before → after in the report; a key without the field's HR-file section is diagnosed by `connection test`,
 * and the value counts as not visible at run time (Reflect keeps what we last wrote, never an empty value).
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { reportLines } from '../../db/schema.js';
import { rename, update } from '../../dev/simulators/data/mutations.js';
import { FULL_ROLE } from '../../dev/simulators/lucca/roles.js';
import { applyMappings, previewMappings } from '../../services/connection-scope.js';
import type { ServiceContext } from '../../services/connections.js';
import { createReflectHarness, REFLECT_LUCCA_KEY, reflectRecords, type ReflectHarness } from '../support/reflect-harness.js';
import { runCli } from '../support/cli-process.js';

let h: ReflectHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const services = (harness: ReflectHarness): ServiceContext => ({
  db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client,
  env: { LUCCA_ALLOWED_HOSTS: ['127.0.0.1'], TEMPORAL_TASK_QUEUE: harness.taskQueue }, actor: { kind: 'os', user: 'test-operator' },
});

/** A Reflect connection with two attributes defined on Reflect and mapped from two HR-file fields. */
async function mappedConnection() {
  const harness = (h = await createReflectHarness({ company: { employees: 20, seed: 17 } }));
  const sctx = services(harness);
  const { id, name } = await harness.addConnection();
  harness.reflect.state.defineAttributes([{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }, { key: 'meal_allowance', type: 'number' }]);
  await applyMappings(sctx, await previewMappings(sctx, name, [
    { source: 'extendedData.e_cse_college', target: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'], transforms: [{ kind: 'lower-case' }] },
    { source: 'extendedData.e_prime_panier', target: 'meal_allowance', type: 'number' },
  ]));
  return { harness, sctx, id, name };
}

describe('Reflect: extra field mappings', () => {
  it('a mapped extendedData field reaches Reflect employees as a custom attribute, with before → after in the report', async () => {
    const { harness, sctx, id, name } = await mappedConnection();

    const first = await harness.sync(id);
    expect(first.status).toBe('completed');
    const user = harness.company().users.find((u) => u.id % 5 !== 0 && u.dtContractEnd === null);
    if (!user) throw new Error('fixture too small');
    const college = user.id % 4 === 0 ? 'cadres' : 'non-cadres';
    expect(reflectRecords(harness.reflect, 'employees').get(String(user.id))?.custom_attributes).toEqual({ cse_college: college, meal_allowance: 6 + (user.id % 3) });

    const next = college === 'cadres' ? 'Non-cadres' : 'Cadres';
    update(harness.company(), user.id, { extendedData: { e_cse_college: next } });
    const second = await harness.sync(id);
    expect(second.status).toBe('completed');
    expect(reflectRecords(harness.reflect, 'employees').get(String(user.id))?.custom_attributes).toMatchObject({ cse_college: next.toLowerCase() });
    const [line] = await harness.db.db.select().from(reportLines)
      .where(and(eq(reportLines.runId, second.runId), eq(reportLines.dataset, 'employees'), eq(reportLines.sourceId, String(user.id))));
    expect(line).toMatchObject({ action: 'updated', changes: [{ field: 'attr.cse_college', before: college, after: next.toLowerCase() }] });
  });
});

describe('Reflect: a key without the mapped field\'s HR-file section', () => {
  it('connection test names "Consult HR files" → select the relevant section; the next sync keeps what Reflect holds and says it was not visible', async () => {
    const { harness, sctx, id, name } = await mappedConnection();
    expect((await harness.sync(id)).status).toBe('completed');
    const user = harness.company().users.find((u) => u.id % 5 !== 0 && u.dtContractEnd === null);
    if (!user) throw new Error('fixture too small');
    const before = reflectRecords(harness.reflect, 'employees').get(String(user.id))?.custom_attributes;
    expect(before).toEqual({ cse_college: user.id % 4 === 0 ? 'cadres' : 'non-cadres', meal_allowance: 6 + (user.id % 3) });

    const ok = await runCli(harness, 'connection', 'test', name);
    expect(ok.stdout).toContain('Mapped field extendedData.e_cse_college → cse_college: visible');

    // The key's role keeps "Consult HR files" on "État civil" only: the CSE and pay sections are gone.
    harness.lucca.sim.setKeyRole('demo', REFLECT_LUCCA_KEY, { ...FULL_ROLE, hrSections: ['État civil'] });
    const diagnosed = await runCli(harness, 'connection', 'test', name);
    expect(diagnosed.code).toBe(1);
    expect(diagnosed.stdout).toMatch(
      /FAIL {2}Mapped field extendedData\.e_cse_college → cse_college is not visible to the key: in Lucca, open the key's role .*Co-workers tab, "Consult HR files" → select the relevant section \(the one holding e_cse_college\)/,
    );
    expect(diagnosed.stdout).toMatch(/FAIL {2}Mapped field extendedData\.e_prime_panier → meal_allowance is not visible to the key: .*"Consult HR files" → select the relevant section \(the one holding e_prime_panier\)/);

    // Lucca changes the college and the first name: the name syncs; the attributes the key cannot see are
    // carried as Reflect holds them (the number as a number), never sent empty, and are no change.
    update(harness.company(), user.id, { extendedData: { e_cse_college: null } });
    rename(harness.company(), user.id, { firstName: 'Renamed' });
    harness.company().clock.advance(DAY);
    const run = await harness.sync(id);
    expect(run.status).toBe('completed');
    const after = reflectRecords(harness.reflect, 'employees').get(String(user.id));
    expect(after).toMatchObject({ first_name: 'Renamed', custom_attributes: before });
    const [line] = await harness.db.db.select().from(reportLines)
      .where(and(eq(reportLines.runId, run.runId), eq(reportLines.dataset, 'employees'), eq(reportLines.sourceId, String(user.id))));
    expect(line).toMatchObject({ action: 'updated', outcome: 'applied', changes: [{ field: 'first_name', after: 'Renamed' }] });
    expect(run.message).toMatch(/custom attribute cse_college \(extendedData\.e_cse_college\) was not visible to the Lucca key for \d+ employee\(s\); nothing was written for it and Reflect keeps its value \(left out by Lucca\)/);
    expect(run.message).toContain('custom attribute meal_allowance (extendedData.e_prime_panier) was not visible');
    expect(run.message).toContain('"Consult HR files" › select the relevant section (the one holding e_cse_college)');
  });
});
