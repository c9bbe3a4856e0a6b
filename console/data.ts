import type { Client } from '@temporalio/client';
import { cadenceFromSpec, describeCadence } from '../client/schedule-spec.js';
import { pauseSchedule, resumeSchedule, triggerSchedule } from '../client/schedules.js';
import { resolveConflict } from '../client/conflict-resolution.js';
import { isRunId, loadReportPage, type ReportPageQuery } from '../client/reports/load-report.js';
import type { SessionUser } from '../db/queries/console-auth.js';
import type { ConflictSide } from '../db/queries/conflicts.js';
import {
  datasetActionCounts, findScopedConnection, findScopedRun, listConnectionOverview, listDatasetCursors, listOpenConflicts, listQuarantine, listRuns,
  scopedConflicts, type ConnectionFilter, type Scope,
} from '../db/queries/console.js';
import { maskSecret } from '../lib/credentials.js';
import { activateConnection, updateConnection } from '../services/connections.js';
import { startSync } from '../services/sync.js';
import { describeConfig } from '../services/connection-scope.js';
import { serviceContext, viaService } from './service-bridge.js';
import { progressQuery, scheduleIdFor, type SyncProgress } from '../workflows/contracts.js';
import { targetOf } from '../activities/targets/registry.js';
import type { SyncedField } from '../rules/person.js';
import type { Policy } from '../rules/three-way.js';
import { ConsoleError, notFound, type ConsoleDeps } from './deps.js';
import type { Health } from './seams.js';

/**
 * The console's data layer: what every page and API route shows or does, scoped to the signed-in
 * user. Objects outside the scope are "not found" (404), never "forbidden", so ids of another
 * company's objects reveal nothing. Keys leave this layer masked only.
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function connectionsView(deps: ConsoleDeps, scope: Scope, filter: { target?: ConnectionFilter['target']; q?: string | undefined; health?: Health | undefined }) {
  const search = filter.q?.trim() || undefined;
  const [rows, schedules] = await Promise.all([listConnectionOverview(deps.db, scope, { target: filter.target, search }), deps.schedules.all()]);
  const health = await deps.seams.healthOf(deps.db, rows);
  const items = rows.map((r) => {
    const schedule = schedules === 'unavailable' ? undefined : schedules.get(scheduleIdFor(r.name));
    return {
      name: r.name, target: r.target, company: r.company, active: r.active,
      health: health.get(r.id) ?? null,
      lastRun: r.lastRunId ? { id: r.lastRunId, status: r.lastRunStatus, startedAt: iso(r.lastRunStartedAt), finishedAt: iso(r.lastRunFinishedAt), counts: r.lastRunCounts ?? {} } : null,
      schedule: schedules === 'unavailable' ? 'unknown' as const : !schedule ? 'none' as const : schedule.paused ? 'paused' as const : 'running' as const,
      nextRun: iso(schedule?.nextRun),
      openConflicts: r.openConflicts, quarantined: r.quarantined,
    };
  });
  return { temporal: schedules === 'unavailable' ? 'unavailable' as const : 'ok' as const, connections: filter.health ? items.filter((i) => i.health === filter.health) : items };
}
export type ConnectionsView = Awaited<ReturnType<typeof connectionsView>>;

/** Connection names are slugs (NewConnectionSchema); anything else cannot exist. */
const CONNECTION_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;

async function requireConnection(deps: ConsoleDeps, scope: Scope, name: string) {
  const row = CONNECTION_NAME.test(name) ? await findScopedConnection(deps.db, scope, name) : undefined;
  if (!row) throw notFound(`connection "${name}"`);
  return row;
}

function masked(deps: ConsoleDeps, stored: string): string {
  try {
    return maskSecret(deps.cipher.decrypt(stored));
  } catch {
    return '(encrypted with another CREDENTIALS_KEY)';
  }
}

export async function connectionView(deps: ConsoleDeps, scope: Scope, name: string) {
  const row = await requireConnection(deps, scope, name);
  // A target of several datasets (Reflect) shows each, with its read cursor.
  const { datasets } = targetOf(row.target);
  const sectioned = datasets.length > 1;
  const [described, runs, cursors, audit] = await Promise.all([
    row.active ? deps.schedules.describe(row.name) : Promise.resolve(undefined),
    listRuns(deps.db, row.id, 20),
    sectioned ? listDatasetCursors(deps.db, row.id) : Promise.resolve([]),
    deps.seams.listAudit(deps.db, row.id, 20),
  ]);
  const cadence = described && described !== 'unavailable' ? cadenceFromSpec(described.spec) : null;
  const lastRun = runs.find((r) => r.status !== 'running');
  const lines = sectioned && lastRun ? await datasetActionCounts(deps.db, lastRun.id) : [];
  return {
    name: row.name, target: row.target, company: row.company, active: row.active,
    luccaUrl: row.luccaUrl, luccaKey: masked(deps, row.luccaKeyEnc), targetUrl: row.targetUrl, targetKey: masked(deps, row.targetKeyEnc),
    defaultPolicy: row.defaultPolicy, fieldPolicies: row.fieldPolicies, deactivationGuardPct: row.deactivationGuardPct,
    // Which employees sync and the extra fields mapped (read-only; `connection scope|mappings` changes them): names and ids, no personal data.
    config: describeConfig(row),
    schedule: described === 'unavailable'
      ? { state: 'unknown' as const, cadence: null, note: null, nextRuns: [] as string[] }
      : !described
        ? { state: 'none' as const, cadence: null, note: null, nextRuns: [] as string[] }
        : {
            state: described.state.paused ? 'paused' as const : 'running' as const,
            cadence: cadence ? describeCadence(cadence) : 'custom',
            note: described.state.note ?? null,
            nextRuns: described.state.paused ? [] : described.info.nextActionTimes.slice(0, 5).map((d) => d.toISOString()),
          },
    runs: runs.map(runSummary),
    // Each dataset as the last finished run left it (its report lines), and its read cursor.
    datasets: sectioned ? datasets.map(({ name: dataset }) => {
      const cursor = cursors.find((c) => c.dataset === dataset);
      const mine = lines.filter((l) => l.dataset === dataset);
      const counts = Object.fromEntries(mine.filter((l) => l.action !== 'not_permitted').map((l) => [l.action, l.n]));
      const status = !lastRun ? null : mine.some((l) => l.action === 'not_permitted') ? 'not permitted' : lastRun.status;
      return { dataset, status, counts, lastSyncedAt: iso(cursor?.lastSince), lastFullReadAt: iso(cursor?.lastFullReadAt) };
    }) : [],
    audit: audit.map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}
export type ConnectionView = Awaited<ReturnType<typeof connectionView>>;

function runSummary(r: Awaited<ReturnType<typeof listRuns>>[number]) {
  return {
    id: r.id, status: r.status, phase: r.phase, trigger: r.trigger, dryRun: r.dryRun, counts: r.counts,
    startedAt: r.startedAt.toISOString(), finishedAt: iso(r.finishedAt),
    durationSeconds: r.finishedAt ? Math.max(0, (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000) : null,
  };
}

export async function runsOf(deps: ConsoleDeps, scope: Scope, name: string, limit: number) {
  const row = await requireConnection(deps, scope, name);
  return (await listRuns(deps.db, row.id, limit)).map(runSummary);
}

async function requireRun(deps: ConsoleDeps, scope: Scope, id: string) {
  const found = isRunId(id) ? await findScopedRun(deps.db, scope, id) : undefined;
  if (!found) throw notFound(`run "${id}"`);
  return found;
}

export async function runView(deps: ConsoleDeps, scope: Scope, id: string) {
  const { run, connection, target, company } = await requireRun(deps, scope, id);
  return {
    ...runSummary(run), connection, target, company, workflowId: run.workflowId, message: run.message,
    fetchComplete: run.fetchComplete,
  };
}
export type RunView = Awaited<ReturnType<typeof runView>>;

/** The running workflow's own progress query (phase, pages, counts); the stored run when it is over or Temporal is down. */
export async function runProgress(deps: ConsoleDeps, scope: Scope, id: string): Promise<{ status: string; progress: SyncProgress | null; live: boolean }> {
  const { run } = await requireRun(deps, scope, id);
  const stored: SyncProgress = { runId: run.id, phase: run.phase as SyncProgress['phase'], pagesDone: 0, counts: run.counts };
  if (run.status !== 'running') return { status: run.status, progress: stored, live: false };
  try {
    const client: Client = await deps.client();
    // The run's workflow id may have continued as new: the latest execution of the id answers.
    const progress = await client.withDeadline(Date.now() + 2_000, () => client.workflow.getHandle(run.workflowId).query(progressQuery));
    return { status: run.status, progress, live: true };
  } catch {
    return { status: run.status, progress: stored, live: false };
  }
}

export async function reportPage(deps: ConsoleDeps, scope: Scope, id: string, query: ReportPageQuery) {
  const { run } = await requireRun(deps, scope, id);
  return loadReportPage(deps.db, run.id, query);
}

/** Resolves the run for a CSV export (access checked before the first byte is streamed). */
export async function reportRunId(deps: ConsoleDeps, scope: Scope, id: string): Promise<string> {
  return (await requireRun(deps, scope, id)).run.id;
}

export type Action = 'sync' | 'pause' | 'resume';

/** Sync now (through the schedule, overlap SKIP), pause, resume: the same Temporal calls as the CLI. */
export async function connectionAction(deps: ConsoleDeps, user: SessionUser, scope: Scope, name: string, action: Action, reason?: string) {
  const row = await requireConnection(deps, scope, name);
  if (!row.active) throw new ConsoleError(409, `connection "${name}" is not active, so it has no schedule: an operator activates it first.`);
  const described = await deps.schedules.describe(row.name);
  if (described === 'unavailable') throw new ConsoleError(503, 'Temporal is not reachable: try again in a moment.');
  if (!described) throw new ConsoleError(409, `connection "${name}" has no schedule: set one with \`lucca-sync schedule set ${name} --daily\`.`);
  const client = await deps.client();
  if (action === 'sync') await triggerSchedule(client, row.name);
  else if (action === 'pause') await pauseSchedule(client, row.name, reason ? `${reason} (by ${user.email})` : `by ${user.email}`);
  else await resumeSchedule(client, { id: row.id, name: row.name, target: row.target }, cadenceFromSpec(described.spec));
  deps.schedules.invalidate();
  await deps.seams.recordAudit(deps.db, {
    at: new Date(), actor: user.email, connectionId: row.id,
    action: action === 'sync' ? 'synced' : action === 'pause' ? 'paused' : 'resumed', ...(reason && { detail: reason }),
  });
}

export async function conflictsView(deps: ConsoleDeps, scope: Scope, connection?: string) {
  const rows = await listOpenConflicts(deps.db, scope, connection);
  return rows.map(({ conflict: c, connection: name, target }) => ({
    id: c.id, connection: name, target, dataset: c.dataset, sourceId: c.sourceId, targetId: c.targetId, field: c.field,
    base: c.baseValue, lucca: c.sourceValue, targetValue: c.targetValue, openedAt: c.openedAt.toISOString(),
  }));
}

export type Side = ConflictSide;

/** Resolves each picked field in turn (each its own transaction); ids outside the scope are not found, and nothing is resolved. */
export async function resolveConflicts(deps: ConsoleDeps, user: SessionUser, scope: Scope, picks: ReadonlyArray<{ id: number; keep: Side }>) {
  const allowed = await scopedConflicts(deps.db, scope, picks.map((p) => p.id));
  const missing = picks.find((p) => !allowed.has(p.id));
  if (missing) throw notFound(`conflict ${missing.id}`);
  const resolved: Array<{ id: number; field: string; keep: Side }> = [];
  for (const pick of picks) {
    try {
      const { field } = await resolveConflict(deps.db, pick.id, pick.keep);
      resolved.push({ id: pick.id, field, keep: pick.keep });
      await deps.seams.recordAudit(deps.db, {
        at: new Date(), actor: user.email, action: 'resolved', connectionId: allowed.get(pick.id) as string,
        detail: `conflict ${pick.id} (${field}): kept ${pick.keep === 'lucca' ? 'Lucca' : 'the target'}`,
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'UsageError') throw new ConsoleError(409, err.message.replace(/`lucca-sync conflicts list`/, 'the conflicts inbox'));
      throw err;
    }
  }
  return resolved;
}

/** What to do in Lucca for a quarantined record, from its reasons. */
export function fixInLucca(reasons: ReadonlyArray<{ code?: string; field?: string | null; message?: string }>): string {
  const fields = [...new Set(reasons.map((r) => r.field).filter(Boolean))];
  if (reasons.some((r) => r.code === 'malformed_record')) return 'Open the record in Lucca and complete what is missing; the next sync reads it again.';
  if (fields.length) return `Correct ${fields.join(', ')} of this employee in Lucca; the next sync retries the record.`;
  return 'Correct this record in Lucca as the reason says; the next sync retries it.';
}

export async function quarantineView(deps: ConsoleDeps, scope: Scope, connection?: string) {
  const rows = await listQuarantine(deps.db, scope, connection);
  return rows.map(({ record: q, connection: name, target }) => {
    const reasons = (q.reasons as Array<{ code?: string; field?: string; message?: string }>).map((r) => ({
      code: String(r.code ?? 'unknown'), field: r.field ?? null, message: String(r.message ?? ''),
    }));
    return {
      connection: name, target, dataset: q.dataset, sourceId: q.sourceId, reasons, fix: fixInLucca(reasons),
      firstSeenAt: q.firstSeenAt.toISOString(), lastSeenAt: q.lastSeenAt.toISOString(),
    };
  });
}

// ------------------------------------------------------------------ full resync, relink, policy, activate

/** Full resync: the same service as `lucca-sync sync run --full` (a manual run, refused while one runs, audited). */
export async function fullResync(deps: ConsoleDeps, user: SessionUser, scope: Scope, name: string): Promise<{ runId: string }> {
  const row = await requireConnection(deps, scope, name);
  const { runId } = await viaService(() => startSync(serviceContext(deps, user), row.name, { full: true }));
  return { runId };
}

/**
 * Relink: a new Lucca and/or target key, each tested by the service before it is saved (a Lucca key
 * that sees less is refused unless confirmed). Same connection id, runs, links, cursors, conflicts.
 */
export async function relinkConnection(deps: ConsoleDeps, user: SessionUser, scope: Scope, name: string, input: { luccaKey?: string | undefined; targetKey?: string | undefined; confirmLessAccess?: boolean | undefined }) {
  const row = await requireConnection(deps, scope, name);
  const luccaKey = input.luccaKey?.trim() ? input.luccaKey.trim() : undefined;
  const targetKey = input.targetKey?.trim() ? input.targetKey.trim() : undefined;
  if (!luccaKey && !targetKey) throw new ConsoleError(400, 'nothing to relink: paste a new Lucca key, a new target key, or both.');
  const result = await viaService(() => updateConnection(serviceContext(deps, user), row.name, {
    ...(luccaKey && { luccaKey }), ...(targetKey && { targetKey }), ...(input.confirmLessAccess && { confirmLessAccess: true }),
  }));
  return {
    changed: result.changed, lessAccess: result.lessAccess,
    luccaCheck: result.luccaCheck?.lines ?? null, targetCheck: result.targetCheck?.lines ?? null,
  };
}

/** The conflict policies and the guard, through `connection update`'s service (audited there). */
export async function changePolicy(deps: ConsoleDeps, user: SessionUser, scope: Scope, name: string, input: { defaultPolicy?: Policy | undefined; fieldPolicies?: Partial<Record<SyncedField, Policy | null>> | undefined; deactivationGuardPct?: number | undefined }) {
  const row = await requireConnection(deps, scope, name);
  const result = await viaService(() => updateConnection(serviceContext(deps, user), row.name, input));
  return { changed: result.changed };
}

/** Activation: an operator's, in the console (the service refuses an HR admin's for Reflect too). */
export async function activate(deps: ConsoleDeps, user: SessionUser, scope: Scope, name: string) {
  // Not yours is "not found" before it is "not allowed": another company's names stay unconfirmed.
  const row = await requireConnection(deps, scope, name);
  if (user.role !== 'operator') throw new ConsoleError(403, 'only an operator can activate a connection: ask your operator (the help desk).');
  const result = await viaService(() => activateConnection(serviceContext(deps, user), row.name, null));
  deps.schedules.invalidate();
  return { schedule: describeCadence(result.cadence), wasActive: result.wasActive };
}
