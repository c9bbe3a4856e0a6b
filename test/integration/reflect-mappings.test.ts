/** Issue 20 on Reflect (real Temporal and Postgres): a mapped extendedData field reaches Reflect employees, before → after in the report. */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { reportLines } from '../../db/schema.js';
import { update } from '../../dev/simulators/data/mutations.js';
import { applyMappings, previewMappings } from '../../services/connection-scope.js';
import type { ServiceContext } from '../../services/connections.js';
import { createReflectHarness, reflectRecords, type ReflectHarness } from '../support/reflect-harness.js';

let h: ReflectHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Reflect: extra field mappings', () => {
  it('a mapped extendedData field reaches Reflect employees as a custom attribute, with before → after in the report', async () => {
    const harness = (h = await createReflectHarness({ company: { employees: 20, seed: 17 } }));
    const sctx: ServiceContext = {
      db: harness.db.db, cipher: harness.deps.cipher, client: async () => harness.client,
      env: { LUCCA_ALLOWED_HOSTS: ['127.0.0.1'], TEMPORAL_TASK_QUEUE: harness.taskQueue }, actor: { kind: 'os', user: 'test-operator' },
    };
    const { id, name } = await harness.addConnection();
    harness.reflect.state.defineAttributes([{ key: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'] }, { key: 'meal_allowance', type: 'number' }]);
    await applyMappings(sctx, await previewMappings(sctx, name, [
      { source: 'extendedData.e_cse_college', target: 'cse_college', type: 'enum', values: ['cadres', 'non-cadres'], transforms: [{ kind: 'lower-case' }] },
      { source: 'extendedData.e_prime_panier', target: 'meal_allowance', type: 'number' },
    ]));

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
