/**
 * `npm run bench` (tsx dev/bench/run.ts): the HappyPal sync on the simulators at 1,000, 10,000 and
 * 100,000 employees, against a plain-script baseline (dev/bench/baseline.ts). Not part of `npm test`.
 *
 *   --sizes 1000,10000        run a subset (default 1000,10000,100000)
 *   --rounds N                run every size N times, each round on fresh simulators and connections (default 1);
 *                             the targets then use the median ratio and the worst time and memory
 *   --with-rate-limit         add one first sync with Lucca's real 50 requests/minute (simulator AND our limiter)
 *   --rate-limit-sizes A,B    employees of the rate-limited run(s) (default 10000; 100000 shows the limit binding)
 *   --only-rate-limit         only the rate-limited run
 *   --profile                 run the worker with --cpu-prof and summarise the top self-time functions
 *   --settle-ms N             wait before reading Postgres counters (default 11000: idle backends flush stats within 10 s)
 *   --commit-copy             also write dev/bench/RESULTS.md (the committed copy of the figures)
 *   --bundle-at-start         workers bundle the workflow code at start (default: a prebuilt bundle, as in production)
 *   --worker-node-options S   NODE_OPTIONS for the worker process (e.g. "--max-old-space-size=256")
 *   --sync-options JSON       SyncInput.options of our runs (e.g. '{"linesPerActivity":20000}'); default: the workflow's defaults
 *
 * Starts its own Temporal dev server, scratch database, simulators (in this process) and worker
 * (`workers/main.ts`, a child process); stops all of them at the end and on Ctrl-C.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type DbHandle } from '../../db/client.js';
import { insertConnection } from '../../db/queries/connections.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { generateCompany, type Company } from '../simulators/data/company.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../simulators/happypal/server.js';
import { luccaGet } from '../simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../simulators/lucca/server.js';
import { datasetWorkflowIdFor, type SyncOptions, type SyncSummary } from '../../workflows/contracts.js';
import type { BaselineInput, BaselineResult } from './baseline.js';
import {
  benchArgs, gitCommit, onCleanup, procMemory, RESULTS_DIR, runBaselineProcess, runBench, startInfra, startWorker, writeResults, type BenchInfra, type WorkerChild,
} from './infra.js';
import { historyFacts, requestDelta, requestSnapshot, rowsWritten, tableCounters, type HistoryFacts, type RequestCounts, type RowsWritten } from './measure.js';
import { changeOnePercent } from './mutate.js';
import { summariseProfiles } from './profile-summary.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';
import { renderMarkdown, renderTable } from './report.js';

/**
 * first: the first sync (a full read). noop and change (1 % renamed): resyncs as scheduled, which read
 * incrementally (activities/sync/incremental.ts). noop-full: a no-op resync forced to read everything
 * (`sync run --full`, what the periodic full read costs). The baseline always reads everything.
 */
export type CaseKind = 'first' | 'noop' | 'change' | 'noop-full';

export interface CaseResult {
  size: number;
  kind: CaseKind;
  /** 1-based round (`--rounds`). */
  round: number;
  ours: {
    ms: number;
    recordsPerSecond: number;
    status: string;
    counts: Record<string, number>;
    history: HistoryFacts;
    workerPeakRssMb: number;
    rows: RowsWritten;
    requests: RequestCounts;
  };
  baseline: {
    ms: number;
    phases: Record<string, number>;
    counts: Record<string, number>;
    peakRssMb: number;
    rows: RowsWritten;
    requests: RequestCounts;
  } | null;
  ratio: number | null;
  changed: number;
}

export interface RateLimitResult {
  size: number;
  perMinute: number;
  ms: number;
  luccaRequests: number;
  lucca429: number;
  pages: number;
  /** pages × 60/50 s: the bound at a sustained 50 requests/minute. */
  floorMs: number;
  /** (⌈pages/50⌉ − 1) × 60 s: the bound with a sliding 60-second window that starts empty (bursts of 50 allowed). */
  windowFloorMs: number;
  history: HistoryFacts;
  unlimitedMs: number | null;
  status: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: { cores: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverageAtStart: number[] };
  git: string;
  postgres: string;
  settleMs: number;
  hwmResettable: boolean;
  workflowBundle: 'prebuilt' | 'bundled at start';
  workerNodeOptions: string | null;
  syncOptions: SyncOptions | null;
  /** RSS of each size's worker process once started and idle, before its first case. */
  workerIdleRssMb: Record<string, number>;
  rounds: number;
  cases: CaseResult[];
  rateLimited: RateLimitResult[];
  profile: string | null;
  notes: string[];
}

const { flag, option, sizes } = benchArgs();
const ROUNDS = Math.max(1, Math.floor(Number(option('--rounds') ?? 1)) || 1);
const SIZES = sizes('1000,10000,100000');
const WITH_RATE_LIMIT = flag('--with-rate-limit') || flag('--only-rate-limit');
const ONLY_RATE_LIMIT = flag('--only-rate-limit');
const RATE_LIMIT_SIZES = (option('--rate-limit-sizes') ?? '10000').split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0);
const PROFILE = flag('--profile');
const SETTLE_MS = Number(option('--settle-ms') ?? 11_000);
const COMMIT_COPY = flag('--commit-copy');
const BUNDLE_AT_START = flag('--bundle-at-start');
const WORKER_NODE_OPTIONS = option('--worker-node-options');
const SYNC_OPTIONS = option('--sync-options') ? (JSON.parse(option('--sync-options') as string) as SyncOptions) : undefined;

const CREDENTIALS_KEY = Buffer.alloc(32, 11).toString('base64');
const cipher = createCredentialCipher(Buffer.from(CREDENTIALS_KEY, 'base64'));
const TODAY = new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const mb = (kb: number) => Math.round(kb / 1024);

interface SizeEnv {
  company: Company;
  lucca: LuccaSimulator;
  happypalOurs: HappyPalSimulator;
  happypalBase: HappyPalSimulator;
  oursId: string;
  baseId: string;
  worker: WorkerChild;
}

let workerSeq = 0;
async function setUpSize(infra: BenchInfra, db: DbHandle, size: number, luccaRate: number, profileDir: string | undefined): Promise<SizeEnv & { close(): Promise<void> }> {
  log(`${size.toLocaleString('en')} employees: generating the company, starting simulators and a worker process`);
  const company = generateCompany({ employees: size, seed: 2025, asOf: TODAY, withActivity: false });
  // Modification stamps follow the wall clock, as the worker's incremental cursor does.
  company.clock.useWallClock();
  const lucca = await startLuccaSimulator({ rateLimitPerMinute: 0 });
  lucca.addInstance({ name: 'bench', company, keys: [{ key: 'bench-lucca-key', name: 'bench' }] });
  const happypalOurs = await startHappyPalSimulator({ rateLimitPerMinute: 0, apiKey: 'bench-happypal-ours' });
  const happypalBase = await startHappyPalSimulator({ rateLimitPerMinute: 0, apiKey: 'bench-happypal-base' });
  const closeSims = async () => {
    await lucca.close();
    await happypalOurs.close();
    await happypalBase.close();
  };
  onCleanup(`simulators (${size})`, closeSims);
  const stamp = `${size}-${Date.now().toString(36)}`;
  const connection = async (who: string, happypal: HappyPalSimulator) => (await insertConnection(db.db, cipher, {
    name: `bench-${who}-${stamp}`, target: 'happypal', luccaUrl: lucca.instanceUrl('bench'), luccaKey: 'bench-lucca-key',
    targetUrl: happypal.url, targetKey: happypal.apiKey,
  })).id;
  const oursId = await connection('ours', happypalOurs);
  const baseId = await connection('base', happypalBase);
  const worker = await startWorker({
    databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, taskQueue: `bench-${process.pid}-${workerSeq++}`,
    credentialsKey: CREDENTIALS_KEY, luccaRateLimitPerMinute: luccaRate, ...(profileDir && { cpuProfileDir: profileDir }),
    ...(infra.workflowBundlePath && { workflowBundlePath: infra.workflowBundlePath }),
    ...(WORKER_NODE_OPTIONS && { nodeOptions: WORKER_NODE_OPTIONS }),
  });
  // Warm-up: one request to each simulator (first page of Lucca, one HappyPal list call each).
  const page = await luccaGet(`${lucca.instanceUrl('bench')}/api/v3/users?fields=id,firstName&paging=0,1000&formerEmployees=true`, 'bench-lucca-key');
  if (page.status !== 200) throw new Error(`Lucca warm-up answered ${page.status}`);
  for (const hp of [happypalOurs, happypalBase]) {
    const res = await fetch(`${hp.url}/v1/users?page=1&per_page=1`, { headers: { authorization: `Bearer ${hp.apiKey}` } });
    if (res.status !== 200) throw new Error(`HappyPal warm-up answered ${res.status}`);
    await res.text();
  }
  return {
    company, lucca, happypalOurs, happypalBase, oursId, baseId, worker,
    close: async () => {
      await worker.stop();
      await closeSims();
    },
  };
}

async function runOurs(infra: BenchInfra, env: SizeEnv, label: string, full = false) {
  const workflowId = `bench-${label}-${Date.now().toString(36)}`;
  const before = requestSnapshot(env.lucca, env.happypalOurs);
  env.worker.resetPeak();
  const started = performance.now();
  const handle = await infra.client.workflow.start('syncConnection', {
    taskQueue: env.worker.taskQueue, workflowId, args: [{ connectionId: env.oursId, trigger: 'manual', ...(full && { full }), ...(SYNC_OPTIONS && { options: SYNC_OPTIONS }) }],
  });
  const summary = (await Promise.race([handle.result(), env.worker.died]).catch(async (err: unknown) => {
    await handle.terminate('the bench worker died').catch(() => undefined);
    throw err;
  })) as SyncSummary;
  const ms = performance.now() - started;
  const peakKb = env.worker.peakKb();
  const requests = requestDelta(before, requestSnapshot(env.lucca, env.happypalOurs));
  // The run and its employees dataset (a child workflow, where the activities run).
  const history = await historyFacts(infra.client, workflowId, datasetWorkflowIdFor(workflowId, 'employees'));
  return { ms, summary, peakKb, requests, history };
}

async function runCase(infra: BenchInfra, db: DbHandle, env: SizeEnv, size: number, kind: CaseKind): Promise<Omit<CaseResult, 'round'>> {
  const changed = kind === 'change' ? changeOnePercent(env.company, TODAY) : 0;
  log(`${size.toLocaleString('en')} ${kind}${changed ? ` (${changed} renamed in Lucca)` : ''}: our sync (Temporal, worker process)…`);
  const c0 = await tableCounters(infra.sql);
  const ours = await runOurs(infra, env, `${size}-${kind}`, kind === 'noop-full');
  log(`  ours ${(ours.ms / 1000).toFixed(1)} s, status ${ours.summary.status}, ${JSON.stringify(ours.summary.counts)}; settling ${SETTLE_MS} ms for Postgres counters`);
  await sleep(SETTLE_MS);
  const c1 = await tableCounters(infra.sql);

  log(`${size.toLocaleString('en')} ${kind}: baseline (plain script, no Temporal)…`);
  const bReq0 = requestSnapshot(env.lucca, env.happypalBase);
  const input: BaselineInput = { databaseUrl: infra.databaseUrl, connectionId: env.baseId, credentialsKey: CREDENTIALS_KEY, today: TODAY, luccaRateLimitPerMinute: 0 };
  const base = await runBaselineProcess<BaselineResult>(input);
  const bRequests = requestDelta(bReq0, requestSnapshot(env.lucca, env.happypalBase));
  await sleep(1000); // the baseline's backends flushed their counters when it exited
  const c2 = await tableCounters(infra.sql);
  log(`  baseline ${(base.ms / 1000).toFixed(1)} s, ${JSON.stringify(base.counts)}; ratio ${(ours.ms / base.ms).toFixed(2)}`);

  return {
    size, kind, changed,
    ours: {
      ms: ours.ms, recordsPerSecond: size / (ours.ms / 1000), status: ours.summary.status, counts: ours.summary.counts,
      history: ours.history, workerPeakRssMb: mb(ours.peakKb), rows: rowsWritten(c0, c1), requests: ours.requests,
    },
    baseline: {
      ms: base.ms, phases: base.phases, counts: base.counts, peakRssMb: mb(base.maxRssKb), rows: rowsWritten(c1, c2), requests: bRequests,
    },
    ratio: ours.ms / base.ms,
  };
}

async function runRateLimited(infra: BenchInfra, db: DbHandle, size: number, unlimitedMs: number | null): Promise<RateLimitResult> {
  const perMinute = 50;
  const env = await setUpSize(infra, db, size, perMinute, undefined);
  try {
    env.lucca.setRateLimit(perMinute); // after the warm-up, so the window starts empty
    log(`${size.toLocaleString('en')} first sync with Lucca at ${perMinute} requests/minute (simulator and our limiter)…`);
    const ours = await runOurs(infra, env, `${size}-ratelimited`);
    const returned = env.company.users.length;
    const pages = Math.floor(returned / 1000) + 1;
    const result: RateLimitResult = {
      size, perMinute, ms: ours.ms, luccaRequests: ours.requests.lucca, lucca429: ours.requests.luccaByStatus['429'] ?? 0,
      pages, floorMs: (pages * 60_000) / perMinute, windowFloorMs: Math.max(0, Math.ceil(pages / perMinute) - 1) * 60_000, history: ours.history, unlimitedMs, status: ours.summary.status,
    };
    log(`  ${(ours.ms / 1000).toFixed(1)} s (floors: ${(result.floorMs / 1000).toFixed(1)} s sustained, ${(result.windowFloorMs / 1000).toFixed(0)} s sliding window, for ${pages} pages), ${result.luccaRequests} Lucca requests, ${result.lucca429} answered 429`);
    return result;
  } finally {
    await env.close();
  }
}


async function main() {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg().map((x) => Number(x.toFixed(2)));
  log(`sizes ${ONLY_RATE_LIMIT ? '(none)' : SIZES.join(', ')}${WITH_RATE_LIMIT ? `; rate-limited run at ${RATE_LIMIT_SIZES.join(', ')}` : ''}; ${os.cpus().length} cores, load ${loadAverageAtStart.join(' ')}`);
  const infra = await startInfra(log, { prebuiltBundle: !BUNDLE_AT_START });
  const db = createDb(infra.databaseUrl, { max: 2 });
  onCleanup('bench drizzle pool', () => db.close());
  const profileDir = PROFILE ? path.join(RESULTS_DIR, 'profiles', startedAt.replace(/[:.]/g, '-')) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const cases: CaseResult[] = [];
  const workerIdleRssMb: Record<string, number> = {};
  let hwmResettable = true;
  if (!ONLY_RATE_LIMIT) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const size of SIZES) {
        if (ROUNDS > 1) log(`round ${round} of ${ROUNDS}`);
        const env = await setUpSize(infra, db, size, 0, profileDir);
        try {
          await sleep(SETTLE_MS); // start every size with settled counters
          workerIdleRssMb[String(size)] = Math.max(workerIdleRssMb[String(size)] ?? 0, mb(procMemory(env.worker.pid)?.rssKb ?? 0));
          for (const kind of ['first', 'noop', 'change', 'noop-full'] as const) cases.push({ ...(await runCase(infra, db, env, size, kind)), round });
          hwmResettable &&= env.worker.hwmResettable;
        } finally {
          await env.close();
        }
      }
    }
  }
  const rateLimited: RateLimitResult[] = [];
  if (WITH_RATE_LIMIT) {
    for (const size of RATE_LIMIT_SIZES) {
      rateLimited.push(await runRateLimited(infra, db, size, cases.find((c) => c.size === size && c.kind === 'first')?.ours.ms ?? null));
    }
  }

  let profile: string | null = null;
  if (profileDir) {
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profileDir, f));
    profile = summariseProfiles(files, 25);
  }

  const results: BenchResults = {
    startedAt, finishedAt: new Date().toISOString(),
    machine: {
      cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart,
    },
    git: gitCommit(), postgres: infra.postgresDescription, settleMs: SETTLE_MS, hwmResettable,
    workflowBundle: infra.workflowBundlePath ? 'prebuilt' : 'bundled at start', workerNodeOptions: WORKER_NODE_OPTIONS ?? null, syncOptions: SYNC_OPTIONS ?? null, workerIdleRssMb, rounds: ROUNDS, cases, rateLimited, profile,
    notes: [
      'Simulator rate limits were OFF for every run except the rate-limited one (Lucca and both HappyPal simulators at 0), and our Lucca limiter was off (LUCCA_RATE_LIMIT_PER_MINUTE=0).',
      'Simulators were warm: one Lucca users page and one HappyPal list request each before the first case of a size. The worker process was started (workflow bundle built) before timing.',
      infra.workflowBundlePath
        ? 'Workers start from a prebuilt workflow bundle (WORKFLOW_BUNDLE_PATH, as the Dockerfile does); `--bundle-at-start` makes them bundle at start instead.'
        : 'Workers bundle the workflow code at start (`--bundle-at-start`).',
      WORKER_NODE_OPTIONS?.includes('--max-old-space-size')
        ? `The worker ran with NODE_OPTIONS="${WORKER_NODE_OPTIONS}" instead of the production flags.`
        : `The worker ran with the production flags (workers/node-flags.ts: ${WORKER_NODE_FLAGS.join(' ')})${WORKER_NODE_OPTIONS ? ` and NODE_OPTIONS="${WORKER_NODE_OPTIONS}"` : ''}.`,
      ...(SYNC_OPTIONS ? [`Our syncs ran with options ${JSON.stringify(SYNC_OPTIONS)}.`] : []),
      'Simulators (Lucca, two HappyPal) run inside the bench process on the same machine, so they compete with the worker, Temporal and Postgres for the same cores.',
    ],
  };
  const markdown = renderMarkdown(results);
  process.stdout.write(`\n${renderTable(results)}\n`);
  if (profile) process.stdout.write(`\n${profile}\n`);
  log(writeResults('latest', results, markdown, COMMIT_COPY ? 'RESULTS.md' : null));
}

runBench('bench', main);
