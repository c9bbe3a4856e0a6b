import { describe, inject, it } from 'vitest';
import { emptyStats, runModel } from '../chaos/model.js';
import { CONVERGENCE_SEEDS } from '../chaos/seeds.js';
import { createChaosHarness, type ChaosHarness } from '../support/chaos.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * Model-based convergence (test/chaos/model.ts): seeded random Lucca changes, HappyPal hand edits
 * and injected faults over many syncs; after every sync HappyPal must equal what the independent
 * oracle (test/chaos/oracle.ts, docs/design.md §3) predicts for the connection's policy, with no
 * duplicate, and the run's counts must match. A failure names the seed and the step, and prints the
 * command that replays it (test/chaos/soak.ts, which is also the long run).
 */

// The seeds are independent (each has its own simulators, worker, task queue and connection), so
// they run at the same time: the file takes about as long as its longest seed, not their sum.
// Each seed's time limit allows for all of them sharing this process and the machine.
describe.concurrent('convergence under random changes, hand edits and faults (model-based)', { timeout: 900_000 }, () => {
  for (const config of CONVERGENCE_SEEDS) {
    const label = `${config.policy}${config.fieldPolicies ? ` with ${JSON.stringify(config.fieldPolicies)}` : ''}`;
    it(`seed ${config.seed}, ${label}: HappyPal equals the oracle after each of ${config.steps + 1} syncs`, async ({ expect }) => {
      const h: ChaosHarness = await createChaosHarness({
        temporalAddress: inject('temporalAddress'), databaseUrl: testDatabaseUrl(),
        company: { employees: config.employees, seed: config.seed }, luccaSeed: config.seed, happypalSeed: config.seed,
      });
      try {
        const stats = await runModel(h, config, emptyStats());
        expect(stats.syncs).toBeGreaterThanOrEqual(config.steps + 1);
        expect(stats.recordsChecked).toBeGreaterThan(0);
        if (config.incremental) {
          // Both paths ran: resyncs that read only what changed, and a full read that came back (7 days, or a policy switch).
          expect(stats.incrementalReads).toBeGreaterThan(0);
          expect(stats.laterFullReads).toBeGreaterThan(0);
        }
      } finally {
        await h.close();
      }
    });
  }
});
