/**
 * `npm run bench:rules`: the pure rules and the simulator's generator at 100,000 employees, timed
 * (figures to read, not a pass/fail test). Prints the median of five rounds of each.
 */
import { matchEmployees } from '../../rules/matching.js';
import { generateCompany } from '../simulators/data/company.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(label: string, rounds: number, run: () => unknown): void {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(44)} median ${median(ms).toFixed(0).padStart(6)} ms over ${rounds} rounds`);
}

const n = 100_000;
const sources = Array.from({ length: n }, (_, i) => ({ sourceId: `s${i}`, email: `user${i}@x.fr` }));
const links = Array.from({ length: n / 2 }, (_, i) => ({ sourceId: `s${i}`, targetId: `t${i}` }));
const targets = Array.from({ length: n }, (_, i) => ({ targetId: `t${i}`, email: `USER${i}@X.FR` }));

time('matchEmployees, 100,000 employees', 5, () => matchEmployees({ sources, links, targets }));
time('generateCompany, 100,000 employees', 3, () => generateCompany({ employees: n, seed: 5 }));
