import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The integration files that take longest (measured; about 1 to 3 minutes each on the 2-core
 * machine), slowest first. They start first, so that no long file begins near the end and runs on
 * alone while the other workers are idle (longest-first scheduling); the many short files fill in
 * around them, and the unit files, quickest of all, come last. Vitest's own order is by the previous
 * run's durations, which a fresh clone (CI) does not have: it would start them in name order.
 */
const SLOWEST_FIRST = [
  'happypal-incremental', 'reflect-visibility', 'happypal-visibility', 'health-incidents', 'happypal-policies', 'chaos-faults', 'chaos-schedule-catchup', 'chaos-postgres',
  'reflect-sync', 'convergence', 'cli-health', 'cli-manage', 'cli', 'happypal-lifecycle', 'connection-manage', 'operations',
  'chaos-worker-kill', 'console-browser', 'fresh-clone', 'happypal-scope-mappings', 'happypal-durability', 'reflect-scope',
  'chaos-temporal-restart',
].map((name) => `/test/integration/${name}.test.ts`);

function rank(spec: TestSpecification): number {
  const index = SLOWEST_FIRST.findIndex((suffix) => spec.moduleId.endsWith(suffix));
  if (index !== -1) return index;
  return spec.project.name === 'unit' ? SLOWEST_FIRST.length + 1 : SLOWEST_FIRST.length;
}

export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files); // groups (sequence.groupOrder) first, then vitest's own order
    const group = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    // Array.prototype.sort is stable: within a rank, vitest's order stays.
    return [...sorted].sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}
