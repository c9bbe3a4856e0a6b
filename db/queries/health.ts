import type { Db } from '../client.js';
import { inArray, sql } from 'drizzle-orm';
import { connectionHealth } from '../schema.js';

export interface HealthRow {
  id: string;
  name: string;
  target: string;
  active: boolean;
  createdAt: Date;
  /** The latest finished run that was not cancelled. */
  lastRun: { status: 'completed' | 'failed' | 'blocked'; failureCode: string | null; finishedAt: Date } | null;
  /** When the last non-dry run completed. */
  lastSuccessAt: Date | null;
  openConflicts: number;
  quarantined: number;
}

type Raw = {
  id: string; name: string; target: string; active: boolean; created_at: Date;
  last_status: 'completed' | 'failed' | 'blocked' | null; last_code: string | null; last_finished: Date | null;
  last_success: Date | null; open_conflicts: number; quarantined: number;
};

/** The Postgres facts of health, one row per connection (all, or those named), by name. */
export async function loadHealthRows(db: Db, names?: readonly string[]): Promise<HealthRow[]> {
  const filter = names ? sql`where c.name in ${names.length ? names : ['']}` : sql``;
  const raw = await db.execute<Raw>(sql`
    select c.id, c.name, c.target, c.active, c.created_at,
      lr.status as last_status, lr.failure_code as last_code, lr.finished_at as last_finished,
      (select max(finished_at) from sync_runs s where s.connection_id = c.id and s.status = 'completed' and not s.dry_run) as last_success,
      (select count(*)::int from conflicts k where k.connection_id = c.id and k.status = 'open') as open_conflicts,
      (select count(*)::int from quarantine q where q.connection_id = c.id) as quarantined
    from connections c
    left join lateral (
      select status, failure_code, finished_at from sync_runs s
      where s.connection_id = c.id and s.finished_at is not null and s.status <> 'cancelled'
      order by s.finished_at desc limit 1
    ) lr on true
    ${filter}
    order by c.name`);
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return raw.map((r) => ({
    id: r.id, name: r.name, target: r.target, active: r.active, createdAt: new Date(r.created_at),
    lastRun: r.last_status && r.last_finished ? { status: r.last_status, failureCode: r.last_code, finishedAt: new Date(r.last_finished) } : null,
    lastSuccessAt: date(r.last_success), openConflicts: r.open_conflicts, quarantined: r.quarantined,
  }));
}

/** Each connection's health as the last fleet evaluation stored it (connection_health), by connection id. */
export async function loadEvaluatedHealth(db: Db, connectionIds: readonly string[]): Promise<Map<string, string>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await db.select({ id: connectionHealth.connectionId, state: connectionHealth.state })
    .from(connectionHealth).where(inArray(connectionHealth.connectionId, [...connectionIds]));
  return new Map(rows.map((r) => [r.id, r.state]));
}

/** Open conflicts and quarantined records across every connection (the Prometheus gauges). */
export async function countHeldRecords(db: Db): Promise<{ conflictsOpen: number; quarantined: number }> {
  const [row] = await db.execute<{ conflicts: number; quarantined: number }>(sql`
    select (select count(*)::int from conflicts where status = 'open') as conflicts,
           (select count(*)::int from quarantine) as quarantined`);
  return { conflictsOpen: row?.conflicts ?? 0, quarantined: row?.quarantined ?? 0 };
}
