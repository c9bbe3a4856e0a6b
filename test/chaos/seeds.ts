import type { ModelConfig } from './model.js';

/**
 * The fixed model runs of `npm test` (test/integration/convergence.test.ts): one per policy, a per-field
 * mix and policy switches; about a minute in all. test/chaos/soak.ts runs many more.
 */
export const CONVERGENCE_SEEDS: Omit<ModelConfig, 'log' | 'deadline'>[] = [
  { seed: 1101, policy: 'lucca-wins', steps: 8, employees: 40, massDepartureEvery: 6 },
  { seed: 2202, policy: 'target-wins', steps: 8, employees: 40 },
  { seed: 3304, policy: 'review', steps: 8, employees: 40 }, // opens conflicts, and one closes as the values converge
  { seed: 4404, policy: 'lucca-wins', fieldPolicies: { lastName: 'target-wins', email: 'review' }, steps: 6, employees: 30 },
  // The operator switches the default policy between runs: kept values and open conflicts carry over.
  { seed: 5505, policy: 'review', steps: 6, employees: 30, policySwitchRate: 0.6 },
  // Incremental resyncs (a full read every 7 days, or after a policy switch): hand edits and removals wait
  // for the full read, contract ends do not; records stamped exactly at the cursor are read again.
  { seed: 6606, policy: 'lucca-wins', steps: 9, employees: 40, massDepartureEvery: 5, incremental: true },
  { seed: 7707, policy: 'review', steps: 9, employees: 30, policySwitchRate: 0.25, incremental: true },
];
