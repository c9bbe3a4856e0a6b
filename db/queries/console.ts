import { and, asc, count, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { conflicts, connections, datasetCursors, quarantine, reportLines, syncRuns } from '../schema.js';
import type { TargetName } from '../../activities/targets/registry.js';

/**
 * What a console user may see: every company (operators) or the companies they are assigned to.
 * Connections without a company are visible to operators only.
 */
export type Scope = { all: true } | { all: false; companies: readonly string[] };

export function inScope(scope: Scope): SQL {
  if (scope.all) return sql`true`;
  if (scope.companies.length === 0) return sql`false`;
  return inArray(connections.company, [...scope.companies]);
}

export interface ConnectionFilter {
  target?: TargetName | undefined;
  search?: string | undefined;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The connections list in one query: each connection with its last run and its open conflicts and
 * quarantined counts (correlated subqueries on indexed keys; no query per connection).
 */
export async function listConnectionOverview(db: Db, scope: Scope, filter: ConnectionFilter) {
  const lastRun = db
    .select({
      id: syncRuns.id, status: syncRuns.status, startedAt: syncRuns.startedAt, finishedAt: syncRuns.finishedAt, counts: syncRuns.counts,
    })
    .from(syncRuns)
    .where(eq(syncRuns.connectionId, connections.id))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1)
    .as('last_run');
  return db
    .select({
      id: connections.id, name: connections.name, target: connections.target, company: connections.company, active: connections.active,
      lastRunId: lastRun.id, lastRunStatus: lastRun.status, lastRunStartedAt: lastRun.startedAt, lastRunFinishedAt: lastRun.finishedAt,
      lastRunCounts: lastRun.counts,
      openConflicts: sql<number>`(select count(*)::int from ${conflicts} where ${conflicts.connectionId} = ${connections.id} and ${conflicts.status} = 'open')`,
      quarantined: sql<number>`(select count(*)::int from ${quarantine} where ${quarantine.connectionId} = ${connections.id})`,
    })
    .from(connections)
    .leftJoinLateral(lastRun, sql`true`)
    .where(and(
      inScope(scope),
      filter.target ? eq(connections.target, filter.target) : undefined,
      filter.search ? ilike(connections.name, `%${escapeLike(filter.search)}%`) : undefined,
    ))
    .orderBy(asc(connections.name));
}
export type ConnectionOverview = Awaited<ReturnType<typeof listConnectionOverview>>[number];

export async function findScopedConnection(db: Db, scope: Scope, name: string) {
  const [row] = await db.select().from(connections).where(and(inScope(scope), eq(connections.name, name)));
  return row;
}

export async function listRuns(db: Db, connectionId: string, limit: number) {
  return db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId)).orderBy(desc(syncRuns.startedAt)).limit(limit);
}

/** A run with its connection's name, target and company, when the scope allows it. */
export async function findScopedRun(db: Db, scope: Scope, runId: string) {
  const [row] = await db
    .select({ run: syncRuns, connection: connections.name, target: connections.target, company: connections.company })
    .from(syncRuns)
    .innerJoin(connections, eq(connections.id, syncRuns.connectionId))
    .where(and(inScope(scope), eq(syncRuns.id, runId)));
  return row;
}

export async function listDatasetCursors(db: Db, connectionId: string) {
  return db.select().from(datasetCursors).where(eq(datasetCursors.connectionId, connectionId)).orderBy(asc(datasetCursors.dataset));
}

/** Open conflicts in the scope (of one connection, if named), oldest first; at most `limit` (null: all of them, for the CLI). */
export async function listOpenConflicts(db: Db, scope: Scope, connectionName?: string, limit: number | null = 500) {
  const query = db
    .select({ conflict: conflicts, connection: connections.name, target: connections.target })
    .from(conflicts)
    .innerJoin(connections, eq(connections.id, conflicts.connectionId))
    .where(and(inScope(scope), eq(conflicts.status, 'open'), connectionName ? eq(connections.name, connectionName) : undefined))
    .orderBy(asc(conflicts.id))
    .$dynamic();
  return limit === null ? query : query.limit(limit);
}

/** Which of these conflict ids the scope may touch, with their connection (others answer 404, as if they did not exist). */
export async function scopedConflicts(db: Db, scope: Scope, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: conflicts.id, connectionId: conflicts.connectionId })
    .from(conflicts)
    .innerJoin(connections, eq(connections.id, conflicts.connectionId))
    .where(and(inScope(scope), inArray(conflicts.id, [...ids])));
  return new Map(rows.map((r) => [r.id, r.connectionId]));
}

export async function listQuarantine(db: Db, scope: Scope, connectionName?: string, limit = 500) {
  return db
    .select({ record: quarantine, connection: connections.name, target: connections.target })
    .from(quarantine)
    .innerJoin(connections, eq(connections.id, quarantine.connectionId))
    .where(and(inScope(scope), connectionName ? eq(connections.name, connectionName) : undefined))
    .orderBy(asc(connections.name), asc(quarantine.dataset), asc(quarantine.sourceId))
    .limit(limit);
}

export async function countOpenConflicts(db: Db, scope: Scope): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(conflicts)
    .innerJoin(connections, eq(connections.id, conflicts.connectionId))
    .where(and(inScope(scope), eq(conflicts.status, 'open')));
  return row?.n ?? 0;
}

/** Puts connections under a company (the demo; `connection add --company` for new ones). */
export async function setConnectionCompany(db: Db, names: readonly string[], company: string): Promise<void> {
  if (names.length === 0) return;
  await db.update(connections).set({ company, updatedAt: new Date() }).where(inArray(connections.name, [...names]));
}

/** A run's report lines counted by dataset and action (Reflect's per-dataset status). */
export async function datasetActionCounts(db: Db, runId: string) {
  return db
    .select({ dataset: reportLines.dataset, action: reportLines.action, n: sql<number>`count(*)::int` })
    .from(reportLines)
    .where(eq(reportLines.runId, runId))
    .groupBy(reportLines.dataset, reportLines.action);
}
