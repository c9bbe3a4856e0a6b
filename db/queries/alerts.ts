import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { insertedRow } from './rows.js';
import { alertChannels, connections, incidents, notifications } from '../schema.js';

export type ChannelRow = typeof alertChannels.$inferSelect;
export type NewChannelRow = typeof alertChannels.$inferInsert;

export async function insertChannel(db: Db, row: NewChannelRow): Promise<ChannelRow> {
  return insertedRow(await db.insert(alertChannels).values(row).returning(), 'alert channel');
}

export async function findChannel(db: Db, name: string): Promise<ChannelRow | undefined> {
  const [row] = await db.select().from(alertChannels).where(eq(alertChannels.name, name));
  return row;
}

export async function listChannels(db: Db): Promise<(ChannelRow & { connection: string | null })[]> {
  const rows = await db.select({ channel: alertChannels, connection: connections.name }).from(alertChannels)
    .leftJoin(connections, eq(connections.id, alertChannels.connectionId)).orderBy(asc(alertChannels.name));
  return rows.map((r) => ({ ...r.channel, connection: r.connection }));
}

export async function deleteChannel(db: Db, name: string): Promise<boolean> {
  const rows = await db.delete(alertChannels).where(eq(alertChannels.name, name)).returning({ id: alertChannels.id });
  return rows.length > 0;
}

/** Keeps the channels declared in the environment in step: upserted by name, the others removed. */
export async function syncEnvChannels(db: Db, rows: readonly NewChannelRow[]): Promise<void> {
  for (const row of rows) {
    await db.insert(alertChannels).values({ ...row, fromEnv: true }).onConflictDoUpdate({
      target: alertChannels.name, set: { kind: row.kind, config: row.config, secretEnc: row.secretEnc ?? null, connectionId: null, fromEnv: true },
    });
  }
  const names = rows.map((r) => r.name);
  await db.delete(alertChannels).where(and(eq(alertChannels.fromEnv, true), names.length ? notInArray(alertChannels.name, names) : undefined));
}

export interface DueNotification {
  id: number;
  event: 'opened' | 'resolved';
  attempts: number;
  channel: ChannelRow;
  incident: typeof incidents.$inferSelect;
  connection: string;
}

/**
 * Takes up to `limit` notifications due at `now` and leases them for `leaseMs` (next_attempt_at moves
 * on), so two deliverers never send the same one: SKIP LOCKED lets them share the queue.
 */
export async function takeDueNotifications(db: Db, now: Date, leaseMs: number, limit = 100): Promise<DueNotification[]> {
  const leased = await db.execute<{ id: number }>(sql`
    update notifications set next_attempt_at = ${new Date(now.getTime() + leaseMs).toISOString()}::timestamptz
    where id in (select id from notifications where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
                 order by next_attempt_at limit ${limit} for update skip locked)
    returning id`);
  const ids = leased.map((r) => Number(r.id));
  if (ids.length === 0) return [];
  const rows = await db
    .select({ n: notifications, channel: alertChannels, incident: incidents, connection: connections.name })
    .from(notifications)
    .innerJoin(alertChannels, eq(alertChannels.id, notifications.channelId))
    .innerJoin(incidents, eq(incidents.id, notifications.incidentId))
    .innerJoin(connections, eq(connections.id, incidents.connectionId))
    .where(inArray(notifications.id, ids))
    .orderBy(asc(notifications.id));
  return rows.map((r) => ({ id: r.n.id, event: r.n.event, attempts: r.n.attempts, channel: r.channel, incident: r.incident, connection: r.connection }));
}

export async function markSent(db: Db, id: number, now: Date): Promise<void> {
  await db.update(notifications).set({ status: 'sent', sentAt: now, attempts: sql`${notifications.attempts} + 1`, lastError: null }).where(eq(notifications.id, id));
}

/** Records a failed attempt: retried at `retryAt`, or failed for good when it is null. */
export async function markAttemptFailed(db: Db, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db.update(notifications).set({
    attempts: sql`${notifications.attempts} + 1`, lastError: error.slice(0, 500),
    ...(retryAt ? { nextAttemptAt: retryAt } : { status: 'failed' as const }),
  }).where(eq(notifications.id, id));
}

export async function notificationsOf(db: Db, incidentId: number) {
  return db.select().from(notifications).where(eq(notifications.incidentId, incidentId)).orderBy(asc(notifications.id));
}
