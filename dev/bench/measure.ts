/** What the benchmark reads after a run: Temporal histories, Postgres row counters, simulator request counts. */
import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import type { HappyPalSimulator } from '../simulators/happypal/server.js';
import type { LuccaSimulator } from '../simulators/lucca/server.js';

export interface HistoryFacts {
  /** Executions of the workflow id (1 + continues-as-new). */
  runs: number;
  eventsPerRun: number[];
  maxEvents: number;
  totalEvents: number;
  /** Wall time inside activities, by activity type (scheduled → completed, summed), ms. */
  activityMs: Record<string, number>;
  activityCount: Record<string, number>;
  /** Activity attempts that failed or timed out (retries), by type. */
  activityFailures: Record<string, number>;
}

type Ts = { seconds?: unknown; nanos?: number | null } | null | undefined;
function tsMs(ts: Ts): number {
  if (!ts) return NaN;
  const s = ts.seconds as { toNumber?: () => number } | number | string | undefined;
  const seconds = typeof s === 'object' && s && typeof s.toNumber === 'function' ? s.toNumber() : Number(s ?? 0);
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

/** Every execution of the given workflow ids (a run and its dataset children), with their full histories (exact event counts and activity times). */
export async function historyFacts(client: Client, ...workflowIds: string[]): Promise<HistoryFacts> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  const query = workflowIds.map((id) => `WorkflowId = '${id}'`).join(' OR ');
  for await (const execution of client.workflow.list({ query })) runs.push({ workflowId: execution.workflowId, runId: execution.runId });
  const facts: HistoryFacts = { runs: runs.length, eventsPerRun: [], maxEvents: 0, totalEvents: 0, activityMs: {}, activityCount: {}, activityFailures: {} };
  for (const { workflowId, runId } of runs) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    facts.eventsPerRun.push(events.length);
    const scheduled = new Map<string, { type: string; at: number }>();
    for (const e of events) {
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) {
        scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: tsMs(e.eventTime) });
      }
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      if (done) {
        const s = scheduled.get(String(done.scheduledEventId));
        if (!s) continue;
        facts.activityMs[s.type] = (facts.activityMs[s.type] ?? 0) + (tsMs(e.eventTime) - s.at);
        facts.activityCount[s.type] = (facts.activityCount[s.type] ?? 0) + 1;
        if (!e.activityTaskCompletedEventAttributes) facts.activityFailures[s.type] = (facts.activityFailures[s.type] ?? 0) + 1;
      }
    }
  }
  facts.maxEvents = Math.max(0, ...facts.eventsPerRun);
  facts.totalEvents = facts.eventsPerRun.reduce((a, b) => a + b, 0);
  return facts;
}

export type TableCounters = Record<string, { ins: number; upd: number; del: number }>;

/** Per-table insert/update/delete counters of the bench database (pg_stat_user_tables). */
export async function tableCounters(sql: postgres.Sql): Promise<TableCounters> {
  const rows = await sql<{ relname: string; ins: string; upd: string; del: string }[]>`
    select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del from pg_stat_user_tables`;
  const out: TableCounters = {};
  for (const r of rows) out[r.relname] = { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del) };
  return out;
}

export interface RowsWritten {
  total: number;
  byTable: Record<string, { ins: number; upd: number; del: number }>;
}

export function rowsWritten(before: TableCounters, after: TableCounters): RowsWritten {
  const byTable: RowsWritten['byTable'] = {};
  let total = 0;
  for (const [table, a] of Object.entries(after)) {
    const b = before[table] ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
    if (d.ins + d.upd + d.del === 0) continue;
    byTable[table] = d;
    total += d.ins + d.upd + d.del;
  }
  return { total, byTable };
}

export interface RequestCounts {
  lucca: number;
  luccaByStatus: Record<string, number>;
  happypal: number;
  happypalByEndpoint: Record<string, number>;
}

export interface RequestSnapshot {
  lucca: ReturnType<LuccaSimulator['stats']['snapshot']>;
  happypal: Record<string, Record<string, number>>;
}

export function requestSnapshot(lucca: LuccaSimulator, happypal: HappyPalSimulator): RequestSnapshot {
  return { lucca: lucca.stats.snapshot(), happypal: happypal.state.dump().requestCounts };
}

export function requestDelta(before: RequestSnapshot, after: RequestSnapshot): RequestCounts {
  const luccaByStatus: Record<string, number> = {};
  const statuses = (s: RequestSnapshot) => {
    const out: Record<string, number> = {};
    for (const e of Object.values(s.lucca.byEndpoint)) for (const [k, n] of Object.entries(e.byStatus)) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  const [b, a] = [statuses(before), statuses(after)];
  for (const [k, n] of Object.entries(a)) if (n - (b[k] ?? 0) > 0) luccaByStatus[k] = n - (b[k] ?? 0);
  const happypalByEndpoint: Record<string, number> = {};
  let happypal = 0;
  for (const [endpoint, byStatus] of Object.entries(after.happypal)) {
    const sum = (x: Record<string, number> | undefined) => Object.values(x ?? {}).reduce((p, q) => p + q, 0);
    const d = sum(byStatus) - sum(before.happypal[endpoint]);
    if (d > 0) {
      happypalByEndpoint[endpoint] = d;
      happypal += d;
    }
  }
  return { lucca: after.lucca.total - before.lucca.total, luccaByStatus, happypal, happypalByEndpoint };
}
