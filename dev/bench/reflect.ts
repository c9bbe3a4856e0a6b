/**
 * `npm run bench:reflect` (tsx dev/bench/reflect.ts): the Reflect sync on the simulators — a first full
 * sync, then a no-op resync — of companies with a year of leaves, expense claims and pay items.
 * A benchmark script, not a test (not part of `npm test`).
 *
 * Reproduces the figure "a first Reflect sync of a 2,000-employee company with a year of leaves and
 * expenses takes 16–17 s with rate limits off; it reads ~108k Lucca records in 34 requests; a no-op
 * resync takes about 4 s and writes nothing".
 *
 *   --sizes 500,2000,5000     employees per company (default 2000)
 *   --seed N                  seed of the generated companies (default 2025)
 *   --settle-ms N             wait before reading Postgres counters (default 11000: idle backends flush stats within 10 s)
 *   --commit-copy             also write dev/bench/REFLECT.md (the committed copy of the figures)
 *   --bundle-at-start         the worker bundles the workflow code at start (default: a prebuilt bundle, as in production)
 *
 * Simulator rate limits are OFF (Lucca and Reflect at 0) and our Lucca limiter is off
 * (LUCCA_RATE_LIMIT_PER_MINUTE=0). Starts its own Temporal dev server, scratch database (on
 * DATABASE_URL's server, or an embedded PostgreSQL), simulators (in this process) and worker
 * (`workers/main.ts`, a child process), and stops all of them at the end, on errors and on Ctrl-C
 * (dev/bench/infra.ts). Writes dev/bench/results/reflect-latest.md and .json (git-ignored).
 *
 * Run it as `node --import tsx dev/bench/reflect.ts` (what the npm script does), not through the `tsx`
 * CLI: dev/bench/infra.ts removes every SIGINT/SIGTERM listener, tsx's hidden one included, so the tsx
 * CLI no longer hears that its child got the signal, re-sends it (infra.ts then exits at once) and
 * SIGKILLs the child 30 ms later: the cleanup is cut short (scratch database left, temporary folders
 * left, and with a signal sent to the tsx process alone, worker and Temporal orphaned).
 */
import os from 'node:os';
import type { ReflectDataset } from '../../activities/targets/reflect/schemas.js';
import { createDb } from '../../db/client.js';
import { insertConnection, updateConnection } from '../../db/queries/connections.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { activityOf } from '../simulators/data/activity.js';
import { generateCompany, type Company } from '../simulators/data/company.js';
import { FULL_ROLE, luccaGet } from '../simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../simulators/lucca/server.js';
import { startReflectSimulator, type ReflectSimulator } from '../simulators/reflect/server.js';
import {
  datasetWorkflowIdFor, type DatasetResult, type SyncSummary,
} from '../../workflows/contracts.js';
import { REFLECT_DATASETS } from '../../activities/targets/reflect/target.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';
import {
  benchArgs, gitCommit, onCleanup, procMemory, runBench, startInfra, startWorker, writeResults, type BenchInfra, type WorkerChild,
} from './infra.js';
import {
  historyFacts, requestDelta, rowsWritten, tableCounters, type HistoryFacts, type RequestSnapshot, type RowsWritten,
} from './measure.js';

type CaseKind = 'first' | 'noop';

/** Lucca endpoint (simulator stats name) → the Reflect dataset that reads it. */
const LUCCA_ENDPOINT_DATASET: Record<string, ReflectDataset> = {
  users: 'employees', leaves: 'absences', expenseClaims: 'expenses', fixedItems: 'compensation', variableItems: 'compensation',
};

interface StoreChanges {
  created: number;
  updated: number;
  deleted: number;
}

interface DatasetFacts {
  /** Lucca records the dataset's child workflow read (its `read` count). */
  recordsRead: number;
  luccaRequests: number;
  luccaRequestsByEndpoint: Record<string, number>;
  /** Records whose stored state changed in the Reflect simulator (created, updated, deleted). */
  reflectChanges: StoreChanges;
  /** Records held by the Reflect simulator after the run. */
  reflectRecords: number;
  /** The child workflow's result counts (read, planned_*, unchanged, written, deleted…). */
  counts: Record<string, number>;
  status: string;
  history: HistoryFacts;
  /** First execution's start → last execution's close, from Temporal's visibility. */
  wallMs: number;
}

interface ReflectCase {
  size: number;
  kind: CaseKind;
  workflowId: string;
  ms: number;
  status: string;
  message: string | null;
  summaryCounts: Record<string, number>;
  lucca: { requests: number; byStatus: Record<string, number>; byEndpoint: Record<string, number>; recordsRead: number };
  /** Staged Lucca rows of the run by staged name (lucca-users, lucca-leaves…), from staged_records. */
  stagedByName: Record<string, number>;
  reflect: { requests: number; byEndpoint: Record<string, number>; writeRequests: number; changes: StoreChanges };
  parentHistory: HistoryFacts;
  datasets: Record<string, DatasetFacts>;
  workerPeakRssMb: number;
  rows: RowsWritten;
}

interface ReflectBenchResults {
  startedAt: string;
  finishedAt: string;
  machine: { cores: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  git: string;
  postgres: string;
  settleMs: number;
  seed: number;
  hwmResettable: boolean;
  workflowBundle: 'prebuilt' | 'bundled at start';
  /** Per size: what the generated company holds, and how long materialising its activity took (before timing). */
  companies: Record<string, { users: number; leaveRows: number; expenseClaims: number; fixedItems: number; variableItems: number; activityMs: number }>;
  workerIdleRssMb: Record<string, number>;
  cases: ReflectCase[];
  notes: string[];
}

const { flag, option, sizes } = benchArgs();
const SIZES = sizes('2000');
const SEED = Number(option('--seed') ?? 2025);
const SETTLE_MS = Number(option('--settle-ms') ?? 11_000);
const COMMIT_COPY = flag('--commit-copy');
const BUNDLE_AT_START = flag('--bundle-at-start');

const CREDENTIALS_KEY = Buffer.alloc(32, 11).toString('base64');
const cipher = createCredentialCipher(Buffer.from(CREDENTIALS_KEY, 'base64'));
const LUCCA_KEY = 'bench-reflect-lucca-key';
const REFLECT_KEY = 'bench-reflect-key';
const TODAY = new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stdout.write(`[bench:reflect ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const mb = (kb: number) => Math.round(kb / 1024);
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

/** Copied from dev/bench/run.ts (not exported there, and importing run.ts would start its benchmark). */

interface SizeEnv {
  size: number;
  company: Company;
  lucca: LuccaSimulator;
  reflect: ReflectSimulator;
  connectionId: string;
  worker: WorkerChild;
  close(): Promise<void>;
}

let workerSeq = 0;
async function setUpSize(infra: BenchInfra, size: number, companies: ReflectBenchResults['companies']): Promise<SizeEnv> {
  log(`${size.toLocaleString('en')} employees: generating the company (with activity), starting the simulators and a worker process`);
  const company = generateCompany({ employees: size, seed: SEED, asOf: TODAY, withActivity: true });
  // Leaves and claims are generated lazily on first read: materialise them now, so the first sync
  // does not pay the simulator's generation (it runs in this process, on the same cores).
  const t0 = performance.now();
  let leaveRows = 0;
  let expenseClaims = 0;
  for (const u of company.users) {
    const a = activityOf(company, u.id);
    leaveRows += a?.leaves.length ?? 0;
    expenseClaims += a?.expenseClaims.length ?? 0;
  }
  companies[String(size)] = {
    users: company.users.length, leaveRows, expenseClaims, fixedItems: company.fixedItems.length,
    variableItems: company.variableItems.length, activityMs: Math.round(performance.now() - t0),
  };
  log(`  ${leaveRows.toLocaleString('en')} leave half-day rows, ${expenseClaims.toLocaleString('en')} expense claims, ${company.fixedItems.length.toLocaleString('en')} fixed and ${company.variableItems.length.toLocaleString('en')} variable pay items`);

  const lucca = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  lucca.addInstance({ name: 'bench', company, keys: [{ key: LUCCA_KEY, name: 'bench-reflect', role: FULL_ROLE }] });
  const reflect = await startReflectSimulator({ rateLimitPerMinute: 0, apiKey: REFLECT_KEY });
  const closeSims = async () => {
    await lucca.close();
    await reflect.close();
  };
  onCleanup(`simulators (${size})`, closeSims);

  const db = createDb(infra.databaseUrl, { max: 1 });
  let connectionId: string;
  try {
    const row = await insertConnection(db.db, cipher, {
      name: `bench-reflect-${size}-${Date.now().toString(36)}`, target: 'reflect', luccaUrl: lucca.instanceUrl('bench'), luccaKey: LUCCA_KEY,
      targetUrl: reflect.url, targetKey: reflect.apiKey,
    });
    await updateConnection(db.db, row.id, { active: true }); // Reflect connections start inactive; the operator activates them
    connectionId = row.id;
  } finally {
    await db.close();
  }

  const worker = await startWorker({
    databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, taskQueue: `bench-reflect-${process.pid}-${workerSeq++}`,
    credentialsKey: CREDENTIALS_KEY, luccaRateLimitPerMinute: 0,
    ...(infra.workflowBundlePath && { workflowBundlePath: infra.workflowBundlePath }),
  });
  // Warm-up: one request to each simulator (a Lucca users page, a Reflect list); deltas exclude them.
  const page = await luccaGet(`${lucca.instanceUrl('bench')}/api/v3/users?fields=id,firstName&paging=0,1000&formerEmployees=true`, LUCCA_KEY);
  if (page.status !== 200) throw new Error(`Lucca warm-up answered ${page.status}`);
  const res = await fetch(`${reflect.url}/v1/datasets/employees/records?page=1&per_page=1`, { headers: { authorization: `Bearer ${reflect.apiKey}` } });
  await res.text();
  if (res.status !== 200) throw new Error(`Reflect warm-up answered ${res.status}`);
  return {
    size, company, lucca, reflect, connectionId, worker,
    close: async () => {
      await worker.stop();
      await closeSims();
    },
  };
}

type StoreSnapshot = Map<ReflectDataset, Map<string, string>>;

/** One dump of the Reflect simulator: request counts, and every record's updated_at by dataset. */
function reflectSnapshot(reflect: ReflectSimulator): { requests: Record<string, Record<string, number>>; store: StoreSnapshot } {
  const dump = reflect.state.dump();
  const store: StoreSnapshot = new Map();
  for (const dataset of REFLECT_DATASETS) {
    store.set(dataset, new Map(dump.datasets[dataset].map((r) => [String(r.external_id), String(r.updated_at)])));
  }
  return { requests: dump.requestCounts, store };
}

function storeChanges(before: Map<string, string> | undefined, after: Map<string, string> | undefined): StoreChanges {
  const b = before ?? new Map<string, string>();
  const a = after ?? new Map<string, string>();
  const out: StoreChanges = { created: 0, updated: 0, deleted: 0 };
  for (const [id, at] of a) {
    const was = b.get(id);
    if (was === undefined) out.created += 1;
    else if (was !== at) out.updated += 1;
  }
  for (const id of b.keys()) if (!a.has(id)) out.deleted += 1;
  return out;
}

function luccaByEndpoint(before: RequestSnapshot['lucca'], after: RequestSnapshot['lucca']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [endpoint, e] of Object.entries(after.byEndpoint)) {
    const d = e.total - (before.byEndpoint[endpoint]?.total ?? 0);
    if (d > 0) out[endpoint] = d;
  }
  return out;
}

/** First start → last close of every execution of a workflow id (continue-as-new included). */
async function wallOf(infra: BenchInfra, workflowId: string): Promise<number> {
  let start = Infinity;
  let close = -Infinity;
  for await (const ex of infra.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    start = Math.min(start, ex.startTime.getTime());
    if (ex.closeTime) close = Math.max(close, ex.closeTime.getTime());
  }
  return Number.isFinite(start) && Number.isFinite(close) ? close - start : NaN;
}

async function runCase(infra: BenchInfra, env: SizeEnv, kind: CaseKind): Promise<ReflectCase> {
  const { size } = env;
  const workflowId = `bench-reflect-${size}-${kind}-${Date.now().toString(36)}`;
  log(`${size.toLocaleString('en')} ${kind === 'first' ? 'first full sync' : 'no-op resync'}…`);
  const c0 = await tableCounters(infra.sql);
  const lucca0 = env.lucca.stats.snapshot();
  const reflect0 = reflectSnapshot(env.reflect);
  env.worker.resetPeak();
  const started = performance.now();
  const handle = await infra.client.workflow.start('syncConnection', {
    taskQueue: env.worker.taskQueue, workflowId, args: [{ connectionId: env.connectionId, trigger: 'manual' }],
  });
  const summary = (await Promise.race([handle.result(), env.worker.died]).catch(async (err: unknown) => {
    await handle.terminate('the bench worker died or the run failed').catch(() => undefined);
    throw err;
  })) as SyncSummary;
  const ms = performance.now() - started;
  const peakKb = env.worker.peakKb();
  const lucca1 = env.lucca.stats.snapshot();
  const reflect1 = reflectSnapshot(env.reflect);
  const delta = requestDelta({ lucca: lucca0, happypal: reflect0.requests }, { lucca: lucca1, happypal: reflect1.requests }); // `happypal` holds Reflect's counts here
  const byEndpoint = luccaByEndpoint(lucca0, lucca1);

  const parentHistory = await historyFacts(infra.client, workflowId);
  const datasets: Record<string, DatasetFacts> = {};
  for (const dataset of REFLECT_DATASETS) {
    const childId = datasetWorkflowIdFor(workflowId, dataset);
    const result = (await infra.client.workflow.getHandle(childId).result()) as DatasetResult;
    const endpoints = Object.fromEntries(Object.entries(byEndpoint).filter(([e]) => LUCCA_ENDPOINT_DATASET[e] === dataset));
    datasets[dataset] = {
      recordsRead: result.counts.read ?? 0,
      luccaRequests: sum(Object.values(endpoints)),
      luccaRequestsByEndpoint: endpoints,
      reflectChanges: storeChanges(reflect0.store.get(dataset), reflect1.store.get(dataset)),
      reflectRecords: reflect1.store.get(dataset)?.size ?? 0,
      counts: result.counts,
      status: result.status,
      history: await historyFacts(infra.client, childId),
      wallMs: await wallOf(infra, childId),
    };
  }
  const staged = await infra.sql<{ dataset: string; n: number }[]>`
    select dataset, count(*)::int as n from staged_records where run_id = ${summary.runId} group by dataset order by dataset`;
  const stagedByName = Object.fromEntries(staged.map((r) => [r.dataset, r.n]));
  const changes = Object.values(datasets).reduce<StoreChanges>(
    (acc, d) => ({ created: acc.created + d.reflectChanges.created, updated: acc.updated + d.reflectChanges.updated, deleted: acc.deleted + d.reflectChanges.deleted }),
    { created: 0, updated: 0, deleted: 0 },
  );
  log(`  ${(ms / 1000).toFixed(1)} s, status ${summary.status}; Lucca ${delta.lucca} requests, ${sum(Object.values(datasets).map((d) => d.recordsRead)).toLocaleString('en')} records read; ` +
    `Reflect ${delta.happypal} requests, ${changes.created}/${changes.updated}/${changes.deleted} records created/updated/deleted; settling ${SETTLE_MS} ms for Postgres counters`);
  await sleep(SETTLE_MS);
  const c1 = await tableCounters(infra.sql);
  return {
    size, kind, workflowId, ms, status: summary.status, message: summary.message, summaryCounts: summary.counts,
    lucca: { requests: delta.lucca, byStatus: delta.luccaByStatus, byEndpoint, recordsRead: sum(Object.values(datasets).map((d) => d.recordsRead)) },
    stagedByName,
    reflect: {
      requests: delta.happypal, byEndpoint: delta.happypalByEndpoint,
      writeRequests: (delta.happypalByEndpoint.batchUpsert ?? 0) + (delta.happypalByEndpoint.batchDelete ?? 0), changes,
    },
    parentHistory, datasets, workerPeakRssMb: mb(peakKb), rows: rowsWritten(c0, c1),
  };
}

// ——— rendering ———

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');
const int = (n: number) => Math.round(n).toLocaleString('en');
const KIND: Record<CaseKind, string> = { first: 'first full sync', noop: 'no-op resync' };
const changesText = (c: StoreChanges) => `${int(c.created)} / ${int(c.updated)} / ${int(c.deleted)}`;
const eventsText = (h: HistoryFacts) => (h.runs > 1 ? `${h.eventsPerRun.join('+')} (${h.runs} runs)` : int(h.maxEvents));

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function mainTable(r: ReflectBenchResults): string {
  const head = [
    'employees', 'case', 'wall (s)', 'Lucca requests', 'Lucca records read', 'Reflect requests (upsert / delete / list)',
    'Reflect records created / updated / deleted', 'history events per run: parent / employees / compensation / absences / expenses',
    'worker peak RSS (MB)', 'Postgres rows written',
  ];
  return table(head, r.cases.map((c) => [
    int(c.size), KIND[c.kind] + (c.status === 'completed' ? '' : ` (${c.status})`), s(c.ms), int(c.lucca.requests), int(c.lucca.recordsRead),
    `${int(c.reflect.requests)} (${int(c.reflect.byEndpoint.batchUpsert ?? 0)} / ${int(c.reflect.byEndpoint.batchDelete ?? 0)} / ${int(c.reflect.byEndpoint.listRecords ?? 0)})`,
    changesText(c.reflect.changes),
    [eventsText(c.parentHistory), ...REFLECT_DATASETS.map((d) => (c.datasets[d] ? eventsText(c.datasets[d].history) : '–'))].join(' / '),
    int(c.workerPeakRssMb), int(c.rows.total),
  ]));
}

function datasetTable(r: ReflectBenchResults): string {
  const head = [
    'employees', 'case', 'dataset', 'Lucca requests', 'records read', 'Reflect created / updated / deleted', 'planned lines (by action)', 'unchanged',
    'child wall (s)', 'prepare', 'fetch (stage: + plan)', 'plan', 'apply (write: + finish)', 'finish', 'history events (runs)',
  ];
  const rows: string[][] = [];
  for (const c of r.cases) {
    for (const dataset of REFLECT_DATASETS) {
      const d = c.datasets[dataset];
      if (!d) continue;
      const a = d.history.activityMs;
      const planned = Object.entries(d.counts).filter(([k, n]) => k.startsWith('planned_') && n > 0).map(([k, n]) => `${k.slice(8)} ${int(n)}`).join(', ') || '–';
      rows.push([
        int(c.size), KIND[c.kind], dataset + (d.status === 'completed' ? '' : ` (${d.status})`),
        `${int(d.luccaRequests)} (${Object.entries(d.luccaRequestsByEndpoint).map(([e, n]) => `${e} ${n}`).join(', ') || '–'})`,
        int(d.recordsRead), changesText(d.reflectChanges), planned, int(d.counts.unchanged ?? 0), s(d.wallMs),
        s(a.prepareDataset ?? 0), s((a.fetchDatasetPages ?? 0) + (a.stageDataset ?? 0)), s(a.planDataset ?? 0), s((a.applyDataset ?? 0) + (a.writeDataset ?? 0)), s(a.finishDataset ?? 0),
        `${int(d.history.totalEvents)} (${d.history.runs})`,
      ]);
    }
  }
  return table(head, rows);
}

function parentTable(r: ReflectBenchResults): string {
  const head = ['employees', 'case', 'wall (s)', 'beginRun (s)', 'slowest child (s)', 'finishRun (s)', 'other: start, child scheduling, workflow tasks (s)'];
  return table(head, r.cases.map((c) => {
    const a = c.parentHistory.activityMs;
    const slowest = Math.max(0, ...Object.values(c.datasets).map((d) => d.wallMs).filter(Number.isFinite));
    return [int(c.size), KIND[c.kind], s(c.ms), s(a.beginRun ?? 0), s(slowest), s(a.finishRun ?? 0), s(c.ms - (a.beginRun ?? 0) - slowest - (a.finishRun ?? 0))];
  }));
}

function rowsByTable(r: ReflectBenchResults): string {
  const fmt = (rows: RowsWritten) => Object.entries(rows.byTable).map(([t, d]) => `${t} ${d.ins}/${d.upd}/${d.del}`).join(', ') || '–';
  return table(['employees', 'case', 'rows by table (ins/upd/del)'], r.cases.map((c) => [int(c.size), KIND[c.kind], fmt(c.rows)]));
}

function requestsDetail(r: ReflectBenchResults): string {
  return table(['employees', 'case', 'Lucca requests by endpoint', 'Lucca by status', 'staged Lucca rows by source'], r.cases.map((c) => [
    int(c.size), KIND[c.kind],
    Object.entries(c.lucca.byEndpoint).map(([e, n]) => `${e} ${n}`).join(', ') || '–',
    Object.entries(c.lucca.byStatus).map(([k, n]) => `${k}: ${n}`).join(', ') || '–',
    Object.entries(c.stagedByName).map(([k, n]) => `${k} ${int(n)}`).join(', ') || '–',
  ]));
}

/** Inserted + deleted rows of staged_records (what a run read, and earlier runs' reads it purges). */
const stagedRows = (rows: RowsWritten) => {
  const t = rows.byTable.staged_records;
  return t ? t.ins + t.upd + t.del : 0;
};

function reference(r: ReflectBenchResults): string {
  const at = (kind: CaseKind) => r.cases.find((c) => c.size === 2000 && c.kind === kind);
  const first = at('first');
  const noop = at('noop');
  if (!first && !noop) return '_No 2,000-employee run this time (`--sizes 2000`)._';
  const line = (claim: string, measured: string) => `| ${claim} | ${measured} |`;
  return [
    'The figure this script reproduces (measured once by a test that was later removed), against this run at 2,000 employees:',
    '',
    '| claim | measured |',
    '|---|---|',
    line('first sync 16–17 s (rate limits off)', first ? `${s(first.ms)} s` : '–'),
    line('reads ~108k Lucca records', first ? int(first.lucca.recordsRead) : '–'),
    line('in 34 Lucca requests', first ? int(first.lucca.requests) : '–'),
    line('(34 = the first sync and the no-op together?)', first && noop ? `${int(first.lucca.requests + noop.lucca.requests)} (${int(first.lucca.requests)} + ${int(noop.lucca.requests)})` : '–'),
    line('no-op resync about 4 s', noop ? `${s(noop.ms)} s` : '–'),
    line('the no-op writes nothing', noop
      ? `${int(noop.reflect.writeRequests)} Reflect write requests, ${changesText(noop.reflect.changes)} records created / updated / deleted; ` +
        `${int(noop.rows.total)} Postgres rows written (${int(stagedRows(noop.rows))} of them in staged_records: this read staged, earlier reads purged)`
      : '–'),
  ].join('\n');
}

function header(r: ReflectBenchResults): string[] {
  return [
    `Figures taken on a shared ${r.machine.cores}-core machine (other benchmark and test runs may have been using the same cores; load average ${r.machine.loadAverageAtStart.join(' ')} at start, ${r.machine.loadAverageAtEnd.join(' ')} at end). Re-run when it is quiet.`,
    'Simulator rate limits OFF (Lucca and Reflect at 0 requests/minute) and our Lucca limiter off (LUCCA_RATE_LIMIT_PER_MINUTE=0).',
  ];
}

function renderTable(r: ReflectBenchResults): string {
  return [...header(r), '', mainTable(r), '', datasetTable(r), '', reference(r)].join('\n');
}

function renderMarkdown(r: ReflectBenchResults): string {
  return [
    '# Reflect sync benchmark',
    '',
    `\`npm run bench:reflect\` (dev/bench/reflect.ts), ${r.finishedAt.slice(0, 16).replace('T', ' ')} UTC. Commit ${r.git}.`,
    `Machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.platform}. PostgreSQL: ${r.postgres}; Temporal dev server in memory.`,
    '',
    ...header(r).map((l) => `**${l}**`).flatMap((l) => [l, '']),
    ...r.notes.map((n) => `- ${n}`),
    `- Companies (seed ${r.seed}, anchored on the day of the run): ${Object.entries(r.companies).map(([n, c]) =>
      `${int(Number(n))} employees → ${int(c.leaveRows)} leave half-day rows, ${int(c.expenseClaims)} expense claims, ${int(c.fixedItems)} fixed and ${int(c.variableItems)} variable pay items (activity materialised in ${c.activityMs} ms before timing)`).join('; ')}.`,
    `- Worker RSS once started and idle: ${Object.entries(r.workerIdleRssMb).map(([n, v]) => `${int(Number(n))} → ${v} MB`).join(', ') || '–'}.`,
    `- Worker peak RSS: VmHWM of the worker process (/proc/<pid>/status${r.hwmResettable ? ', reset before each case through clear_refs' : ''}) and 100 ms samples of VmRSS.`,
    '- Reflect records created / updated / deleted: the Reflect simulator\'s store compared before and after the run (an upsert of an identical',
    '  record changes nothing there, so write *requests* are counted separately).',
    `- Postgres rows written: per-table insert + update + delete counters of the bench database (pg_stat_user_tables), read ${r.settleMs} ms after the run.`,
    '- History events: every execution of the parent workflow id and of each dataset child (`<id>/<dataset>`), counted from the fetched histories.',
    '',
    '## Results',
    '',
    mainTable(r),
    '',
    '## Reference figure',
    '',
    reference(r),
    '',
    '## Per dataset (child workflows)',
    '',
    'Lucca requests and records read by the dataset\'s child workflow; Reflect changes in its dataset; time inside each activity',
    'type (scheduled → completed, summed, from the child\'s history); child wall = first start → last close.',
    '',
    datasetTable(r),
    '',
    '## Where the parent\'s time goes',
    '',
    'The four dataset children run side by side: the run\'s wall time is about beginRun + the slowest child + finishRun.',
    '',
    parentTable(r),
    '',
    '## Requests and staged rows',
    '',
    requestsDetail(r),
    '',
    '## Postgres rows written by table',
    '',
    rowsByTable(r),
    '',
  ].join('\n');
}

async function main() {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg().map((x) => Number(x.toFixed(2)));
  if (SIZES.length === 0) throw new Error('--sizes: expected whole numbers of employees, e.g. 500,2000,5000');
  log(`sizes ${SIZES.join(', ')}; ${os.cpus().length} cores, load ${loadAverageAtStart.join(' ')}; simulator rate limits OFF, LUCCA_RATE_LIMIT_PER_MINUTE=0`);
  const infra = await startInfra(log, { prebuiltBundle: !BUNDLE_AT_START });

  const cases: ReflectCase[] = [];
  const companies: ReflectBenchResults['companies'] = {};
  const workerIdleRssMb: Record<string, number> = {};
  let hwmResettable = true;
  for (const size of SIZES) {
    const env = await setUpSize(infra, size, companies);
    try {
      await sleep(SETTLE_MS); // start every size with settled counters
      workerIdleRssMb[String(size)] = mb(procMemory(env.worker.pid)?.rssKb ?? 0);
      for (const kind of ['first', 'noop'] as const) cases.push(await runCase(infra, env, kind));
      hwmResettable &&= env.worker.hwmResettable;
    } finally {
      await env.close();
    }
  }

  const results: ReflectBenchResults = {
    startedAt, finishedAt: new Date().toISOString(),
    machine: {
      cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))),
    },
    git: gitCommit(), postgres: infra.postgresDescription, settleMs: SETTLE_MS, seed: SEED, hwmResettable,
    workflowBundle: infra.workflowBundlePath ? 'prebuilt' : 'bundled at start', companies, workerIdleRssMb, cases,
    notes: [
      'One Reflect connection per size (activated, default settings: weekly full re-read), a Lucca key with every permission (FULL_ROLE).',
      'First full sync, then a no-op resync right after it with nothing changed in Lucca: employees and expense claims are read incrementally (`modifiedAt`/`modifiedOn` since the first read, minus 5 minutes), absences re-read their daily window (35 days back, a year ahead), compensation is read whole (by design, read-plan.ts).',
      'Wall time: from starting the `syncConnection` workflow to its result, worker already running (`workers/main.ts` in its own process), simulators warm (one request each).',
      infra.workflowBundlePath
        ? 'The worker starts from a prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH, as the Dockerfile does); `--bundle-at-start` makes it bundle at start instead.'
        : 'The worker bundles the workflow code at start (`--bundle-at-start`).',
      `The worker ran with the production flags (workers/node-flags.ts: ${WORKER_NODE_FLAGS.join(' ')}).`,
      'Simulators (Lucca, Reflect) run inside the bench process on the same machine, so they compete with the worker, Temporal and Postgres for the same cores.',
    ],
  };
  const markdown = renderMarkdown(results);
  process.stdout.write(`\n${renderTable(results)}\n`);
  log(writeResults('reflect-latest', results, markdown, COMMIT_COPY ? 'REFLECT.md' : null));
}

runBench('bench:reflect', main);
