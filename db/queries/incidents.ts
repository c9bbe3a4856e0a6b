import { and, desc, eq, gte, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { alertChannels, connectionHealth, connections, incidents, notifications } from '../schema.js';

export type IncidentRow = typeof incidents.$inferSelect;

export async function openIncidents(db: Db): Promise<IncidentRow[]> {
  return db.select().from(incidents).where(isNull(incidents.resolvedAt));
}

/** Channels an incident of this connection is notified to: the global ones and the connection's own. */
async function channelIdsFor(db: Pick<Db, 'select'>, connectionId: string): Promise<string[]> {
  const rows = await db.select({ id: alertChannels.id }).from(alertChannels)
    .where(or(isNull(alertChannels.connectionId), eq(alertChannels.connectionId, connectionId)));
  return rows.map((r) => r.id);
}

async function enqueue(db: Pick<Db, 'select' | 'insert'>, incidentId: number, connectionId: string, event: 'opened' | 'resolved', now: Date): Promise<void> {
  const channels = await channelIdsFor(db, connectionId);
  if (channels.length === 0) return;
  await db.insert(notifications)
    .values(channels.map((channelId) => ({ incidentId, channelId, event, nextAttemptAt: now })))
    .onConflictDoNothing();
}

/**
 * Opens an incident and queues its notifications in one transaction; nothing when one of that kind
 * is already open (the unique index incidents_open_idx), so a repeated evaluation never notifies twice.
 */
export async function openIncident(db: Db, input: { connectionId: string; kind: string; cause: string }, now: Date): Promise<IncidentRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(incidents).values({ ...input, openedAt: now }).onConflictDoNothing().returning();
    if (row) await enqueue(tx, row.id, row.connectionId, 'opened', now);
    return row ?? null;
  });
}

/** Resolves an open incident and queues its notifications; null when it was already resolved. */
export async function resolveIncident(db: Db, id: number, now: Date): Promise<IncidentRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.update(incidents).set({ resolvedAt: now }).where(and(eq(incidents.id, id), isNull(incidents.resolvedAt))).returning();
    if (row) await enqueue(tx, row.id, row.connectionId, 'resolved', now);
    return row ?? null;
  });
}

export async function saveHealth(db: Db, rows: { connectionId: string; state: string; cause: string }[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(connectionHealth).values(rows.map((r) => ({ ...r, evaluatedAt: now })))
    .onConflictDoUpdate({
      target: connectionHealth.connectionId,
      set: { state: sql`excluded.state`, cause: sql`excluded.cause`, evaluatedAt: sql`excluded.evaluated_at` },
    });
}

/** Connections per health state, as last evaluated (the Prometheus gauge). */
export async function countByHealth(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ state: connectionHealth.state, n: sql<number>`count(*)::int` }).from(connectionHealth).groupBy(connectionHealth.state);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export interface IncidentListRow extends IncidentRow {
  connection: string;
  sent: number;
  pending: number;
  failed: number;
}

/** Open incidents, and those resolved since `since`; newest first. */
export async function listIncidents(db: Db, filter: { since: Date; connectionId?: string; openOnly?: boolean }): Promise<IncidentListRow[]> {
  const when = filter.openOnly ? isNull(incidents.resolvedAt) : or(isNull(incidents.resolvedAt), gte(incidents.resolvedAt, filter.since));
  const rows = await db
    .select({
      incident: incidents, connection: connections.name,
      sent: sql<number>`(select count(*)::int from notifications n where n.incident_id = ${incidents.id} and n.status = 'sent')`,
      pending: sql<number>`(select count(*)::int from notifications n where n.incident_id = ${incidents.id} and n.status = 'pending')`,
      failed: sql<number>`(select count(*)::int from notifications n where n.incident_id = ${incidents.id} and n.status = 'failed')`,
    })
    .from(incidents)
    .innerJoin(connections, eq(connections.id, incidents.connectionId))
    .where(and(when, filter.connectionId ? eq(incidents.connectionId, filter.connectionId) : undefined))
    .orderBy(desc(incidents.openedAt), desc(incidents.id));
  return rows.map((r) => ({ ...r.incident, connection: r.connection, sent: r.sent, pending: r.pending, failed: r.failed }));
}
