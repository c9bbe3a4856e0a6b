/**
 * Lucca simulator benchmark (a script, not a test):
 *   node --expose-gc --import tsx dev/bench/sim-lucca.ts [employees]
 * Loads a 100,000-employee tenant, reports load time and memory, then times one 1000-record
 * /api/v3/users page with the HappyPal field set (median of 20) and a full sweep of every page.
 */
import { generateCompany } from '../simulators/data/company.js';
import { startLuccaSimulator } from '../simulators/lucca/server.js';

const EMPLOYEES = Number(process.argv[2] ?? 100_000);
const HAPPYPAL_FIELDS = 'id,firstName,lastName,mail,birthDate,dtContractStart,dtContractEnd,modifiedAt';
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

gc?.();
const before = process.memoryUsage();
const loadStart = performance.now();
const company = generateCompany({ employees: EMPLOYEES, seed: 2025 });
const loadMs = performance.now() - loadStart;
gc?.();
const after = process.memoryUsage();

const sim = await startLuccaSimulator({ rateLimitPerMinute: 0 });
sim.addInstance({ name: 'bench', company, keys: [{ key: 'bench-key', name: 'bench' }] });
const base = `${sim.instanceUrl('bench')}/api/v3/users`;
const headers = { authorization: 'lucca application=bench-key' };

async function timePage(query: string): Promise<{ ms: number; bytes: number; items: number }> {
  const started = performance.now();
  const res = await fetch(`${base}?${query}`, { headers });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return { ms, bytes: text.length, items: (JSON.parse(text) as { data: { items: unknown[] } }).data.items.length };
}

for (let i = 0; i < 5; i++) await timePage(`formerEmployees=true&fields=${HAPPYPAL_FIELDS}&paging=${i * 1000},1000`); // warm-up
const samples: number[] = [];
let bytes = 0;
for (let i = 0; i < 20; i++) {
  const page = await timePage(`formerEmployees=true&fields=${HAPPYPAL_FIELDS}&paging=${(i * 4999) % EMPLOYEES},1000`);
  samples.push(page.ms);
  bytes = page.bytes;
}
const defaultSamples: number[] = [];
for (let i = 0; i < 20; i++) defaultSamples.push((await timePage(`paging=${i * 1000},1000`)).ms);
const incremental: number[] = [];
for (let i = 0; i < 10; i++) incremental.push((await timePage('formerEmployees=true&modifiedAt=since,2025-08-31T00:00:00&fields=id,modifiedAt')).ms);

const sweepStart = performance.now();
let swept = 0;
for (let offset = 0; offset < EMPLOYEES; offset += 1000) swept += (await timePage(`formerEmployees=true&fields=${HAPPYPAL_FIELDS}&paging=${offset},1000`)).items;
const sweepMs = performance.now() - sweepStart;
gc?.();
const end = process.memoryUsage();
await sim.close();

console.log(`Lucca simulator benchmark, ${EMPLOYEES.toLocaleString('en')} employees (node ${process.version}${gc ? ', --expose-gc' : ''})`);
console.log(`  generate:            ${loadMs.toFixed(0)} ms`);
console.log(`  memory after load:   rss ${mb(after.rss)}, heap used ${mb(after.heapUsed)} (heap +${mb(after.heapUsed - before.heapUsed)} for the model)`);
console.log(`  1000-user page, HappyPal fields (median of 20): ${median(samples).toFixed(1)} ms (${(bytes / 1024).toFixed(0)} KiB)`);
console.log(`  1000-user page, default projection (median of 20): ${median(defaultSamples).toFixed(1)} ms`);
console.log(`  modifiedAt=since incremental query (median of 10): ${median(incremental).toFixed(1)} ms`);
console.log(`  full sweep: ${swept.toLocaleString('en')} users in ${(EMPLOYEES / 1000).toFixed(0)} pages, ${sweepMs.toFixed(0)} ms`);
console.log(`  memory at end:       rss ${mb(end.rss)}, heap used ${mb(end.heapUsed)}`);
