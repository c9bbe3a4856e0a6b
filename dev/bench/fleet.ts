/**
 * `npm run bench:fleet` (dev/bench/fleet.ts): a publisher's fleet of HappyPal connections whose
 * schedules fire in the same minute, on real Temporal Schedules, against a plain-script baseline
 * doing the same work at the same concurrency in the same run. Not part of `npm test`.
 *
 *   --companies N          connections (default 500)
 *   --seed S               seed of the size draw and of the 1 % changes (default 21)
 *   --jitter S             SCHEDULE_JITTER_SECONDS of the fleet's schedules (default 0: the whole herd in one second)
 *   --activities N         WORKER_MAX_CONCURRENT_ACTIVITIES of the worker (default: the product default)
 *   --workflow-tasks N     WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (default: the product default)
 *   --cached-workflows N   WORKER_MAX_CACHED_WORKFLOWS (default: the product default)
 *   --baseline-concurrency N  syncs the baseline runs at once (default: the worker's activity slots)
 *   --phases first,noop,change   which phases (default all three, in that order)
 *   --lucca-rate N         Lucca's requests a minute per tenant, simulator and our limiter (default 50, the real one)
 *   --settle-ms N          wait before reading Postgres counters (default 11000)
 *   --no-baseline          skip the baseline
 *   --profile              run the worker with --cpu-prof over the whole run and print its top self-time functions
 *
 * Sizes (seeded, stated): 1.5 % of the companies draw 3,000–7,000 employees, 8.5 % 500–2,500, the
 * rest 20–500, each log-uniform within its band (expected mean ≈ 300: about 150,000 for 500).
 * Each company is its own Lucca tenant (own key, own rate window) in one Lucca simulator, and its own
 * HappyPal tenant (own key) behind one HappyPal host; the baseline writes to tenants of its own.
 *
 * Phases: a first sync of the whole fleet, a no-op resync, a resync with 1 % of all employees renamed
 * in Lucca (spread over the fleet). In each phase every schedule is set to fire at the same minute
 * (daily at HH:MM UTC, the next minute at least 45 s away); then the baseline does the same syncs.
 *
 * Writes dev/bench/results/fleet-<companies>[-jitter<S>].json and .md (git-ignored); figures and findings: dev/bench/FLEET.md.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, gte, inArray } from 'drizzle-orm';
import { ensureSchedule } from '../../client/schedules.js';
import { DEFAULT_SCHEDULE_JITTER_SECONDS } from '../../config/env.js';
import { createDb } from '../../db/client.js';
import { insertConnection } from '../../db/queries/connections.js';
import { syncRuns } from '../../db/schema.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { generateCompany, type Company } from '../simulators/data/company.js';
import { rename } from '../simulators/data/mutations.js';
import { createRng } from '../simulators/shared/rng.js';
import { startHappyPalTenants } from '../simulators/happypal/tenants.js';
import { startLuccaSimulator } from '../simulators/lucca/server.js';
import { WORKER_CONCURRENCY_DEFAULTS } from '../../workers/create-worker.js';
import type { BaselineFleetInput, BaselineFleetResult } from './baseline.js';
import {
  benchArgs, gitCommit, onCleanup, procCpuMs, runBaselineProcess, runBench, startInfra, startWorker, writeResults, type BenchInfra,
} from './infra.js';
import { summariseProfiles } from './profile-summary.js';
import { billableActions, promCounterBy, rowsWritten, tableCounters, tsMs, type ActionEvent, type Ts, type RowsWritten } from './measure.js';

const { flag, option } = benchArgs();
const num = (name: string, fallback: number) => {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} expects a whole number, not "${raw}"`);
  return n;
};
const COMPANIES = Math.max(1, num('--companies', 500));
const SEED = num('--seed', 21);
const JITTER = num('--jitter', 0);
const ACTIVITIES = num('--activities', WORKER_CONCURRENCY_DEFAULTS.maxConcurrentActivityTaskExecutions);
const WORKFLOW_TASKS = num('--workflow-tasks', WORKER_CONCURRENCY_DEFAULTS.maxConcurrentWorkflowTaskExecutions);
const CACHED_WORKFLOWS = num('--cached-workflows', WORKER_CONCURRENCY_DEFAULTS.maxCachedWorkflows);
const BASELINE_CONCURRENCY = num('--baseline-concurrency', ACTIVITIES);
const LUCCA_RATE = num('--lucca-rate', 50);
const SETTLE_MS = num('--settle-ms', 11_000);
const PHASES = (option('--phases') ?? 'first,noop,change').split(',').map((p) => p.trim()) as Phase[];
const WITH_BASELINE = !flag('--no-baseline');
const PROFILE = flag('--profile');
type Phase = 'first' | 'noop' | 'change';

const CREDENTIALS_KEY = Buffer.alloc(32, 11).toString('base64');
const cipher = createCredentialCipher(Buffer.from(CREDENTIALS_KEY, 'base64'));
const TODAY = new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stdout.write(`[fleet ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** The stated size distribution (see the header), drawn with a seeded RNG. */
export function fleetSizes(companies: number, seed: number): number[] {
  const rng = createRng(seed);
  const logUniform = (lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo))));
  const huge = Math.round(companies * 0.015);
  const large = Math.round(companies * 0.085);
  const sizes: number[] = [];
  for (let i = 0; i < companies; i += 1) {
    sizes.push(i < huge ? logUniform(3000, 7000) : i < huge + large ? logUniform(500, 2500) : logUniform(20, 500));
  }
  // Shuffled (seeded), so the big ones are not all first in any listing.
  for (let i = sizes.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j] as number, sizes[i] as number];
  }
  return sizes;
}

interface Member {
  index: number;
  size: number;
  company: Company;
  oursId: string;
  oursName: string;
  baseId: string;
}

interface SyncFacts {
  connection: string;
  size: number;
  status: string;
  /** Epoch ms: the schedule's nominal time for this start (TemporalScheduledStartTime: its minute, plus jitter). */
  nominalAt: number;
  /** Epoch ms: the schedule started the workflow; its first activity started; it closed. */
  firedAt: number;
  startedAt: number;
  closedAt: number;
  events: number;
  runs: number;
  actions: Record<string, number>;
  actionsTotal: number;
}

/**
 * One sync's facts from its histories: the run workflow's executions and those of its dataset
 * children (ids from its StartChildWorkflowExecutionInitiated events), all counted in its events and
 * actions; its times are the run workflow's.
 */
async function syncFacts(infra: BenchInfra, workflowId: string, member: Member, status: string): Promise<SyncFacts> {
  const facts: SyncFacts = {
    connection: member.oursName, size: member.size, status, nominalAt: NaN, firedAt: NaN, startedAt: NaN, closedAt: NaN, events: 0, runs: 0, actions: {}, actionsTotal: 0,
  };
  const children: string[] = [];
  const executions = async (id: string) => {
    const runs: { runId: string; startTime: Date }[] = [];
    for await (const e of infra.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push({ runId: e.runId, startTime: e.startTime });
    return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  };
  const count = async (id: string, parent: boolean) => {
    for (const [i, run] of (await executions(id)).entries()) {
      facts.runs += 1;
      const events = (await infra.client.workflow.getHandle(id, run.runId).fetchHistory()).events ?? [];
      facts.events += events.length;
      for (const e of events) {
        const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (parent && child && !children.includes(child)) children.push(child);
        if (!parent) continue;
        if (i === 0 && e.workflowExecutionStartedEventAttributes) {
          facts.firedAt = tsMs(e.eventTime as Ts);
          const nominal = e.workflowExecutionStartedEventAttributes.searchAttributes?.indexedFields?.TemporalScheduledStartTime?.data;
          if (nominal) facts.nominalAt = Date.parse(JSON.parse(Buffer.from(nominal).toString('utf8')) as string);
        }
        if (Number.isNaN(facts.startedAt) && e.activityTaskStartedEventAttributes) facts.startedAt = tsMs(e.eventTime as Ts);
        if (e.workflowExecutionCompletedEventAttributes ?? e.workflowExecutionFailedEventAttributes ?? e.workflowExecutionTimedOutEventAttributes) facts.closedAt = tsMs(e.eventTime as Ts);
      }
      const actions = billableActions(events as ActionEvent[], { startedBySchedule: parent && i === 0 });
      // A child's start is counted in its parent's history (childWorkflowStarted); its continuations count here.
      if (!parent && i === 0 && actions.workflowStarted) actions.workflowStarted -= 1;
      for (const [k, n] of Object.entries(actions)) facts.actions[k] = (facts.actions[k] ?? 0) + n;
    }
  };
  await count(workflowId, true);
  for (const child of children) await count(child, false);
  facts.actionsTotal = Object.values(facts.actions).reduce((a, b) => a + b, 0);
  return facts;
}

function quantiles(values: number[]): { p50: number; p95: number; max: number } {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { p50: round(at(0.5), 2), p95: round(at(0.95), 2), max: round(s[s.length - 1] ?? NaN, 2) };
}

/** How many intervals are open at each step (seconds from `origin`). */
function concurrency(intervals: { from: number; to: number }[], origin: number, stepS: number): { t: number; running: number }[] {
  const end = Math.max(origin, ...intervals.map((i) => i.to));
  const out: { t: number; running: number }[] = [];
  for (let t = origin; t <= end + stepS * 1000; t += stepS * 1000) {
    out.push({ t: round((t - origin) / 1000, 0), running: intervals.filter((i) => i.from <= t && i.to > t).length });
  }
  return out;
}

/** CPU ms of the backends of our database, sampled each second (a backend's last sample counts). */
function postgresCpuSampler(infra: BenchInfra) {
  const seen = new Map<number, { first: number; last: number }>();
  let stopped = false;
  const sample = async () => {
    const rows = await infra.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`;
    for (const { pid } of rows) {
      const ms = procCpuMs(pid);
      if (ms === null) continue;
      const s = seen.get(pid);
      if (s) s.last = ms;
      else seen.set(pid, { first: ms, last: ms });
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => undefined);
      await sleep(1000);
    }
  })();
  return {
    /** CPU used since the sampler started; a backend first seen mid-phase counts from 0 (its whole life is in the phase). */
    async stop(startedWithPids: Set<number>): Promise<number> {
      stopped = true;
      await loop;
      let total = 0;
      for (const [pid, s] of seen) total += startedWithPids.has(pid) ? s.last - s.first : s.last;
      return total;
    },
    async pidsNow(): Promise<Set<number>> {
      const rows = await infra.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`;
      return new Set(rows.map((r) => r.pid));
    },
  };
}

async function temporalActions(infra: BenchInfra): Promise<Record<string, number>> {
  if (!infra.temporalMetricsUrl) return {};
  const text = await (await fetch(infra.temporalMetricsUrl)).text();
  return promCounterBy(text, 'action', 'action_type', { namespace: 'default' });
}

function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/** Renames 1 % of all the fleet's employees in Lucca (eligible ones: valid, contract not ended), spread by a seeded draw. */
function changeOnePercentOfFleet(members: Member[], seed: number): number {
  const rng = createRng(seed + 1);
  const eligible: { company: Company; id: number; lastName: string }[] = [];
  for (const m of members) {
    const invalid = new Set(m.company.invalidUserIds.map((r) => r.userId));
    for (const u of m.company.users) {
      if (!invalid.has(u.id) && (u.dtContractEnd === null || u.dtContractEnd >= TODAY) && u.lastName) eligible.push({ company: m.company, id: u.id, lastName: u.lastName });
    }
  }
  const total = members.reduce((a, m) => a + m.company.users.length, 0);
  const want = Math.max(1, Math.round(total / 100));
  const picked = new Set<number>();
  while (picked.size < Math.min(want, eligible.length)) picked.add(Math.floor(rng() * eligible.length));
  for (const i of picked) {
    const e = eligible[i] as (typeof eligible)[number];
    rename(e.company, e.id, { lastName: `${e.lastName}-Martin` });
  }
  return picked.size;
}

interface PhaseResult {
  phase: Phase;
  changed: number;
  ours: {
    makespanS: number;
    firstFiredAt: string;
    statuses: Record<string, number>;
    scheduleToStartS: ReturnType<typeof quantiles>;
    /** The schedule's nominal time → the workflow's start: how late the server's scheduler started it. */
    nominalToFireS: ReturnType<typeof quantiles>;
    startToCloseS: ReturnType<typeof quantiles>;
    /** Syncs between their first activity and their close, every second from the first fire. */
    runningOverTime: { t: number; running: number }[];
    peakRunning: number;
    historyEvents: ReturnType<typeof quantiles> & { mean: number };
    historyEventsUnder1000: { max: number; over100: number; companies: number };
    billableActionsPerSync: ReturnType<typeof quantiles> & { mean: number; byKind: Record<string, number> };
    /** The server's own `action` counter over the phase (fleet-health's minute runs and the bench's schedule updates included). */
    serverActions: { total: number; perSync: number; byType: Record<string, number> };
    /** Activity heartbeats that reached the server, per sync (actions absent from histories). */
    heartbeatsPerSync: number;
    /** History-derived actions + heartbeats: what one sync costs. */
    actionsPerSyncWithHeartbeats: number;
    rows: RowsWritten;
    rowsPerEmployee: number;
    workerPeakRssMb: number;
    cpuS: { worker: number; temporal: number | null; postgres: number; benchProcess: number };
  };
  baseline: {
    makespanS: number;
    concurrency: number;
    startToCloseS: ReturnType<typeof quantiles>;
    rows: RowsWritten;
    rowsPerEmployee: number;
    peakRssMb: number;
    cpuS: { baseline: number; postgres: number };
  } | null;
  ratio: number | null;
  syncs: SyncFacts[];
}

runBench('fleet bench', async () => {
  const startedAt = new Date().toISOString();
  const sizes = fleetSizes(COMPANIES, SEED);
  const employees = sizes.reduce((a, b) => a + b, 0);
  log(`${COMPANIES} companies, ${employees.toLocaleString('en')} employees (seed ${SEED}; largest ${Math.max(...sizes)}, median ${[...sizes].sort((a, b) => a - b)[Math.floor(COMPANIES / 2)]})`);
  const infra = await startInfra(log, { prebuiltBundle: true, temporalMetrics: true });
  const db = createDb(infra.databaseUrl, { max: 4 });
  onCleanup('bench pool', () => db.close());

  const lucca = await startLuccaSimulator({ rateLimitPerMinute: LUCCA_RATE });
  onCleanup('Lucca simulator', () => lucca.close());
  const happypal = await startHappyPalTenants({ rateLimitPerMinute: 0 });
  onCleanup('HappyPal simulator', () => happypal.close());
  const stamp = Date.now().toString(36);
  const members: Member[] = [];
  for (const [index, size] of sizes.entries()) {
    const name = `c${String(index).padStart(4, '0')}`;
    const company = generateCompany({ employees: size, seed: SEED * 10_000 + index, asOf: TODAY, withActivity: false });
    lucca.addInstance({ name, company, keys: [{ key: `lucca-${name}`, name }] });
    happypal.addTenant(`ours-${name}`);
    happypal.addTenant(`base-${name}`);
    const conn = async (who: string) => insertConnection(db.db, cipher, {
      name: `fleet-${who}-${name}-${stamp}`, target: 'happypal', luccaUrl: lucca.instanceUrl(name), luccaKey: `lucca-${name}`,
      targetUrl: happypal.url, targetKey: `${who}-${name}`,
    });
    const ours = await conn('ours');
    const base = await conn('base');
    members.push({ index, size, company, oursId: ours.id, oursName: ours.name, baseId: base.id });
  }
  log(`simulators: ${COMPANIES} Lucca tenants (${LUCCA_RATE}/min each) and ${2 * COMPANIES} HappyPal tenants on one host; connections added`);

  const taskQueue = `fleet-${process.pid}`;
  const profileDir = PROFILE ? mkdtempSync(path.join(os.tmpdir(), 'fleet-profile-')) : undefined;
  const worker = await startWorker({
    databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, taskQueue, credentialsKey: CREDENTIALS_KEY,
    luccaRateLimitPerMinute: LUCCA_RATE, ...(infra.workflowBundlePath && { workflowBundlePath: infra.workflowBundlePath }),
    env: {
      WORKER_MAX_CONCURRENT_ACTIVITIES: String(ACTIVITIES), WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(WORKFLOW_TASKS),
      WORKER_MAX_CACHED_WORKFLOWS: String(CACHED_WORKFLOWS),
    },
    ...(profileDir && { cpuProfileDir: profileDir }),
  });
  log(`worker process ${worker.pid}: ${ACTIVITIES} activity slots, ${WORKFLOW_TASKS} workflow task slots`);
  let peakRssOverallKb = 0;

  const phases: PhaseResult[] = [];
  for (const phase of PHASES) {
    const changed = phase === 'change' ? changeOnePercentOfFleet(members, SEED) : 0;
    if (changed) log(`${changed} employees renamed in Lucca (1 % of the fleet)`);

    // Every schedule fires at the same minute: the next one at least 45 s away (UTC).
    const now = new Date();
    const fire = new Date(Math.ceil((now.getTime() + 45_000) / 60_000) * 60_000);
    const cadence = { kind: 'daily' as const, hour: fire.getUTCHours(), minute: fire.getUTCMinutes(), timezone: 'UTC' };
    await pool(members, 16, async (m) => {
      await ensureSchedule(infra.client, { connection: { id: m.oursId, name: m.oursName, target: 'happypal' }, cadence, taskQueue, jitterSeconds: JITTER });
    });
    log(`${phase}: ${COMPANIES} schedules set for ${fire.toISOString().slice(11, 16)} UTC${JITTER ? ` with ${JITTER} s jitter` : ''}; waiting`);

    // Counters and CPU from just before the fire: the idle wait for the minute is not the phase's.
    await sleep(Math.max(0, fire.getTime() - Date.now() - 2000));
    const c0 = await tableCounters(infra.sql);
    const a0 = await temporalActions(infra);
    const pg = postgresCpuSampler(infra);
    const pgPids = await pg.pidsNow();
    const cpuWorker0 = procCpuMs(worker.pid) ?? 0;
    const cpuTemporal0 = infra.temporalPid ? procCpuMs(infra.temporalPid) : null;
    const cpuBench0 = process.cpuUsage();
    worker.resetPeak();
    const since = new Date(now.getTime());
    const ids = members.map((m) => m.oursId);
    let lastLog = 0;
    const deadline = fire.getTime() + 4 * 60 * 60 * 1000 + JITTER * 1000;
    let rows: { connectionId: string; workflowId: string; status: string }[] = [];
    for (;;) {
      await Promise.race([sleep(2000), worker.died]);
      rows = await db.db.select({ connectionId: syncRuns.connectionId, workflowId: syncRuns.workflowId, status: syncRuns.status })
        .from(syncRuns).where(and(inArray(syncRuns.connectionId, ids), gte(syncRuns.startedAt, since)));
      const done = rows.filter((r) => r.status !== 'running').length;
      if (done >= COMPANIES) break;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ${done}/${COMPANIES} done, ${rows.length - done} running; worker RSS peak ${Math.round(worker.peakKb() / 1024)} MB`);
      }
      if (Date.now() > deadline) throw new Error(`${phase}: only ${done} of ${COMPANIES} syncs finished in 4 hours`);
    }
    const cpuWorker = ((procCpuMs(worker.pid) ?? 0) - cpuWorker0) / 1000;
    const cpuTemporalNow = infra.temporalPid ? procCpuMs(infra.temporalPid) : null;
    const cpuTemporal = cpuTemporal0 !== null && cpuTemporalNow !== null ? (cpuTemporalNow - cpuTemporal0) / 1000 : null;
    const cpuBenchUsage = process.cpuUsage(cpuBench0);
    const pgCpu = (await pg.stop(pgPids)) / 1000;
    const peakKb = worker.peakKb();
    peakRssOverallKb = Math.max(peakRssOverallKb, peakKb);
    const a1 = await temporalActions(infra);
    log(`${phase}: every sync finished; reading ${COMPANIES} histories; settling ${SETTLE_MS} ms for Postgres counters`);
    const byConnection = new Map(members.map((m) => [m.oursId, m]));
    const syncs: SyncFacts[] = [];
    await pool(rows, 8, async (r) => {
      syncs.push(await syncFacts(infra, r.workflowId, byConnection.get(r.connectionId) as Member, r.status));
    });
    await sleep(SETTLE_MS);
    const c1 = await tableCounters(infra.sql);
    const ourRows = rowsWritten(c0, c1);

    const firstFired = Math.min(...syncs.map((s) => s.firedAt));
    const lastClosed = Math.max(...syncs.map((s) => s.closedAt));
    const running = concurrency(syncs.map((s) => ({ from: s.startedAt, to: s.closedAt })), firstFired, 1);
    const under = syncs.filter((s) => s.size < 1000);
    const serverActions = diffCounts(a0, a1);
    const serverTotal = Object.values(serverActions).reduce((a, b) => a + b, 0);
    const statuses: Record<string, number> = {};
    for (const s of syncs) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    const ours: PhaseResult['ours'] = {
      makespanS: round((lastClosed - firstFired) / 1000),
      firstFiredAt: new Date(firstFired).toISOString(),
      statuses,
      scheduleToStartS: quantiles(syncs.map((s) => (s.startedAt - s.firedAt) / 1000)),
      nominalToFireS: quantiles(syncs.map((s) => (s.firedAt - s.nominalAt) / 1000)),
      startToCloseS: quantiles(syncs.map((s) => (s.closedAt - s.startedAt) / 1000)),
      runningOverTime: running,
      peakRunning: Math.max(...running.map((r) => r.running)),
      historyEvents: { ...quantiles(syncs.map((s) => s.events)), mean: round(syncs.reduce((a, s) => a + s.events, 0) / syncs.length) },
      historyEventsUnder1000: { max: Math.max(0, ...under.map((s) => s.events)), over100: under.filter((s) => s.events >= 100).length, companies: under.length },
      billableActionsPerSync: {
        ...quantiles(syncs.map((s) => s.actionsTotal)), mean: round(syncs.reduce((a, s) => a + s.actionsTotal, 0) / syncs.length),
        byKind: Object.fromEntries(Object.entries(syncs.reduce<Record<string, number>>((acc, s) => {
          for (const [k, n] of Object.entries(s.actions)) acc[k] = (acc[k] ?? 0) + n;
          return acc;
        }, {})).map(([k, n]) => [k, round(n / syncs.length, 2)])),
      },
      serverActions: { total: serverTotal, perSync: round(serverTotal / COMPANIES, 1), byType: serverActions },
      heartbeatsPerSync: round((serverActions.grpc_RecordActivityTaskHeartbeat ?? 0) / COMPANIES, 2),
      actionsPerSyncWithHeartbeats: round(syncs.reduce((a, s) => a + s.actionsTotal, 0) / syncs.length + (serverActions.grpc_RecordActivityTaskHeartbeat ?? 0) / COMPANIES, 1),
      rows: ourRows,
      rowsPerEmployee: round(ourRows.total / employees, 2),
      workerPeakRssMb: Math.round(peakKb / 1024),
      cpuS: { worker: round(cpuWorker), temporal: cpuTemporal === null ? null : round(cpuTemporal), postgres: round(pgCpu), benchProcess: round((cpuBenchUsage.user + cpuBenchUsage.system) / 1e6) },
    };
    log(`  ours: makespan ${ours.makespanS} s; nominal time→workflow start p50 ${ours.nominalToFireS.p50} s max ${ours.nominalToFireS.max} s; schedule→start p50 ${ours.scheduleToStartS.p50} s p95 ${ours.scheduleToStartS.p95} s max ${ours.scheduleToStartS.max} s; ` +
      `peak ${ours.peakRunning} running; events/sync p50 ${ours.historyEvents.p50} max ${ours.historyEvents.max}; actions/sync mean ${ours.billableActionsPerSync.mean} (server ${ours.serverActions.perSync}); ` +
      `rows/employee ${ours.rowsPerEmployee}; worker peak ${ours.workerPeakRssMb} MB`);

    let baseline: PhaseResult['baseline'] = null;
    if (WITH_BASELINE) {
      log(`${phase}: baseline (plain script, ${BASELINE_CONCURRENCY} syncs at a time)…`);
      const pgB = postgresCpuSampler(infra);
      const pgPidsB = await pgB.pidsNow();
      const input: BaselineFleetInput = {
        databaseUrl: infra.databaseUrl, connectionIds: members.map((m) => m.baseId), concurrency: BASELINE_CONCURRENCY,
        credentialsKey: CREDENTIALS_KEY, today: TODAY, luccaRateLimitPerMinute: LUCCA_RATE,
      };
      const base = await runBaselineProcess<BaselineFleetResult>(input);
      const pgCpuB = (await pgB.stop(pgPidsB)) / 1000;
      await sleep(1000); // the baseline's backends flushed their counters when it exited
      const c2 = await tableCounters(infra.sql);
      const baseRows = rowsWritten(c1, c2);
      baseline = {
        makespanS: round(base.ms / 1000), concurrency: BASELINE_CONCURRENCY,
        startToCloseS: quantiles(base.syncs.map((s) => (s.endMs - s.startMs) / 1000)),
        rows: baseRows, rowsPerEmployee: round(baseRows.total / employees, 2), peakRssMb: Math.round(base.maxRssKb / 1024),
        cpuS: { baseline: round(base.cpuMs / 1000), postgres: round(pgCpuB) },
      };
      log(`  baseline: ${baseline.makespanS} s; ratio ${round(ours.makespanS / baseline.makespanS, 2)}`);
    }
    phases.push({ phase, changed, ours, baseline, ratio: baseline ? round(ours.makespanS / baseline.makespanS, 2) : null, syncs });
  }

  let profile: string | null = null;
  if (profileDir) {
    await worker.stop(); // it writes its profile as it exits
    profile = summariseProfiles(readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(profileDir, f)), 30);
    process.stdout.write(`\nWorker CPU profile (whole run):\n${profile}\n`);
  }
  const results = {
    startedAt, finishedAt: new Date().toISOString(), git: gitCommit(), postgres: infra.postgresDescription, profile,
    machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverageAtStart: os.loadavg() },
    fleet: { companies: COMPANIES, employees, seed: SEED, sizes, distribution: '1.5 % 3,000–7,000; 8.5 % 500–2,500; rest 20–500; log-uniform within each band' },
    settings: {
      jitterSeconds: JITTER, productDefaultJitterSeconds: DEFAULT_SCHEDULE_JITTER_SECONDS, activitySlots: ACTIVITIES, workflowTaskSlots: WORKFLOW_TASKS, cachedWorkflows: CACHED_WORKFLOWS,
      baselineConcurrency: BASELINE_CONCURRENCY, luccaRatePerMinute: LUCCA_RATE, workers: 1,
    },
    workerPeakRssMb: Math.round(peakRssOverallKb / 1024),
    actionsDefinition: 'https://docs.temporal.io/cloud/actions (history-derived count: bench/measure.ts billableActions; serverActions: the dev server\'s `action` metric, namespace default, heartbeats included)',
    phases,
  };
  const md = renderFleet(results);
  process.stdout.write(`\n${md}\n`);
  log(writeResults(`fleet-${COMPANIES}${JITTER ? `-jitter${JITTER}` : ''}`, results, md, null));
});

function renderFleet(r: { fleet: { companies: number; employees: number }; settings: Record<string, unknown>; workerPeakRssMb: number; phases: PhaseResult[]; git: string; machine: { loadAverageAtStart: number[] } }): string {
  const lines = [
    `# Fleet bench: ${r.fleet.companies} companies, ${r.fleet.employees.toLocaleString('en')} employees`,
    '',
    `git ${r.git}; settings ${JSON.stringify(r.settings)}; load average at start ${r.machine.loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')}`,
    '',
    '| phase | makespan s (ours / baseline, ratio) | nominal time→workflow start s p50 / p95 / max | workflow start→first activity s p50 / p95 / max | start→close s p50 / p95 / max | peak running | events/sync p50 / max (max <1000 emp.) | actions/sync mean (history + heartbeats) | rows/employee (ours / baseline) | worker peak RSS MB | CPU s worker / Temporal / Postgres (baseline / its Postgres) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.phases) {
    const o = p.ours;
    const b = p.baseline;
    lines.push(`| ${p.phase}${p.changed ? ` (${p.changed} changed)` : ''} | ${o.makespanS} / ${b?.makespanS ?? '–'}${p.ratio ? `, ${p.ratio}×` : ''} | ${o.nominalToFireS.p50} / ${o.nominalToFireS.p95} / ${o.nominalToFireS.max} | ${o.scheduleToStartS.p50} / ${o.scheduleToStartS.p95} / ${o.scheduleToStartS.max} | ` +
      `${o.startToCloseS.p50} / ${o.startToCloseS.p95} / ${o.startToCloseS.max} | ${o.peakRunning} | ${o.historyEvents.p50} / ${o.historyEvents.max} (${o.historyEventsUnder1000.max}) | ` +
      `${o.billableActionsPerSync.mean} + ${o.heartbeatsPerSync} = ${o.actionsPerSyncWithHeartbeats} | ${o.rowsPerEmployee} / ${b?.rowsPerEmployee ?? '–'} | ${o.workerPeakRssMb} | ` +
      `${o.cpuS.worker} / ${o.cpuS.temporal ?? '–'} / ${o.cpuS.postgres} (${b ? `${b.cpuS.baseline} / ${b.cpuS.postgres}` : '–'}) |`);
  }
  lines.push('', `Worker peak RSS over the run: ${r.workerPeakRssMb} MB.`, '');
  for (const p of r.phases) {
    lines.push(`${p.phase}: syncs running (every 5 s from the first fire): ${p.ours.runningOverTime.filter((x) => x.t % 5 === 0).map((x) => x.running).join(' ')}`);
    lines.push(`${p.phase}: actions per sync by kind (history): ${JSON.stringify(p.ours.billableActionsPerSync.byKind)}; server action types: ${JSON.stringify(p.ours.serverActions.byType)}`);
  }
  return `${lines.join('\n')}\n`;
}
