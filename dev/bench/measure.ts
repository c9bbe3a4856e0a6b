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

export type Ts = { seconds?: unknown; nanos?: number | null } | null | undefined;
/** A protobuf timestamp (Long or number seconds, nanos) in milliseconds; NaN when absent. */
export function tsMs(ts: Ts): number {
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

/** One history event, as much of it as the action count reads (a `temporal.api.history.v1.HistoryEvent`). */
export interface ActionEvent {
  workflowExecutionStartedEventAttributes?: unknown;
  activityTaskScheduledEventAttributes?: unknown;
  activityTaskStartedEventAttributes?: { attempt?: number | null } | null;
  timerStartedEventAttributes?: unknown;
  workflowExecutionSignaledEventAttributes?: unknown;
  upsertWorkflowSearchAttributesEventAttributes?: unknown;
  startChildWorkflowExecutionInitiatedEventAttributes?: unknown;
  markerRecordedEventAttributes?: { workflowTaskCompletedEventId?: unknown } | null;
  workflowExecutionUpdateAcceptedEventAttributes?: unknown;
}

/**
 * Billable actions of one workflow run, counted from its history as Temporal Cloud defines them
 * (https://docs.temporal.io/cloud/actions, "Temporal Cloud Actions"):
 * - workflow started: 1 (client start, continue-as-new, child start); a start by a Schedule adds
 *   2 for the Schedule's own action ("each execution of a Schedule accrues three Actions");
 * - activity started or retried: 1 per ActivityTaskScheduled, plus `attempt − 1` on its
 *   ActivityTaskStarted (intermediate retries leave no event of their own);
 * - local activities: 1 per workflow task that recorded markers, however many;
 * - timer started, signal received, search-attribute upsert, update accepted: 1 each;
 * - start child workflow initiated: 2.
 * Activity heartbeats that reach the server and queries are actions too but leave no event: they
 * are not in this count (the bench reads them from the server's own `action` metric).
 */
export function billableActions(events: readonly ActionEvent[], options: { startedBySchedule: boolean }): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    if (n > 0) out[kind] = (out[kind] ?? 0) + n;
  };
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) {
      add('workflowStarted');
      if (options.startedBySchedule) add('scheduleStart', 2);
    }
    if (e.activityTaskScheduledEventAttributes) add('activityScheduled');
    if (e.activityTaskStartedEventAttributes) add('activityRetried', Math.max(0, (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1));
    if (e.timerStartedEventAttributes) add('timerStarted');
    if (e.workflowExecutionSignaledEventAttributes) add('signal');
    if (e.upsertWorkflowSearchAttributesEventAttributes) add('searchAttributesUpserted');
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) add('childWorkflowStarted', 2);
    if (e.workflowExecutionUpdateAcceptedEventAttributes) add('updateAccepted');
    if (e.markerRecordedEventAttributes) markerTasks.add(String(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
  }
  add('localActivities', markerTasks.size);
  return out;
}

/** Sum of a Prometheus counter's samples by one label, from a /metrics text (e.g. Temporal's `action` by `action_type`). */
export function promCounterBy(text: string, metric: string, label: string, filter: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = Object.fromEntries([...line.slice(metric.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(filter).some(([k, v]) => labels[k] !== v)) continue;
    const key = labels[label] ?? '';
    out[key] = (out[key] ?? 0) + Number(line.slice(close + 1).trim());
  }
  return out;
}
