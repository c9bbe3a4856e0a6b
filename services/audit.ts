import { userInfo } from 'node:os';
import type { Db } from '../db/client.js';
import { insertAudit, listAudit, type AuditRow } from '../db/queries/audit.js';

/** Who acted: the OS user for the CLI, an account for the web console. */
export type Actor = { kind: 'os'; user: string } | { kind: 'account'; id: string; role?: 'operator' | 'hr-admin' | 'viewer' };

/** Who may do what an operator alone may (activate a Reflect connection): the CLI (it holds the database) or an operator's account. */
export const isOperator = (actor: Actor) => actor.kind === 'os' || actor.role === 'operator';

export type AuditAction =
  | 'add' | 'update' | 'activate' | 'pause' | 'resume' | 'schedule' | 'sync' | 'resolve' | 'reset' | 'remove';

/** PII-free by construction: setting names, counts, ids and flags, never a key or a person's value. */
export type AuditDetail = Record<string, string | number | boolean | string[] | null>;

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  connectionName: string | null;
  detail: Record<string, unknown>;
}

/** The CLI's actor: the OS account running it (falls back to "unknown" where it has none, e.g. some containers). */
export function cliActor(): Actor {
  try {
    return { kind: 'os', user: userInfo().username || 'unknown' };
  } catch {
    return { kind: 'os', user: 'unknown' };
  }
}

export function formatActor(actor: Actor): string {
  return actor.kind === 'os' ? `os:${actor.user}` : `account:${actor.id}`;
}

export async function recordAudit(
  db: Db,
  entry: { actor: Actor; action: AuditAction; connection: { id: string; name: string } | null; detail?: AuditDetail },
): Promise<void> {
  await insertAudit(db, {
    actor: formatActor(entry.actor),
    action: entry.action,
    connectionId: entry.connection?.id ?? null,
    connectionName: entry.connection?.name ?? null,
    detail: entry.detail ?? {},
  });
}

/** The last `limit` entries of a connection, newest first (for `connection show` and the console). */
export async function connectionAudit(db: Db, connectionId: string, limit = 10): Promise<AuditEntry[]> {
  const rows: AuditRow[] = await listAudit(db, connectionId, limit);
  return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, connectionName: r.connectionName, detail: r.detail }));
}

/** `key=value` pairs on one line, for the CLI. */
export function formatAuditDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}
