import type { Db } from '../db/client.js';
import { insertAudit } from '../db/queries/audit.js';
import type { ConnectionOverview } from '../db/queries/console.js';
import { loadEvaluatedHealth } from '../db/queries/health.js';
import { connectionAudit, formatAuditDetail } from '../services/audit.js';

/**
 * Where the console meets the service layer (services/health.ts, services/audit.ts). The console
 * never computes health or writes audit rows itself: health is what the fleet evaluation stored
 * (services/fleet.ts, every minute), and audit entries go to the one audit log the CLI writes too.
 */
export const HEALTH_STATES = ['ok', 'degraded', 'failing', 'auth error', 'blocked', 'paused', 'stale', 'never run'] as const;
export type Health = (typeof HEALTH_STATES)[number];

export interface AuditEntry {
  at: Date;
  actor: string;
  action: 'paused' | 'resumed' | 'synced' | 'resolved' | 'relinked' | 'changed policy';
  connectionId: string;
  detail?: string;
}

export interface ConsoleSeams {
  /** Health of each listed connection, by connection id (absent: unknown). */
  healthOf(db: Db, rows: readonly ConnectionOverview[]): Promise<Map<string, Health>>;
  recordAudit(db: Db, entry: AuditEntry): Promise<void>;
  listAudit(db: Db, connectionId: string, limit: number): Promise<AuditEntry[]>;
}

/** The service layer's states (auth_error, never_run) in the console's words. */
const shown = (state: string): Health | undefined => {
  const words = state.replace(/_/g, ' ');
  return (HEALTH_STATES as readonly string[]).includes(words) ? (words as Health) : undefined;
};

/** Console actions as the audit log names them (services/audit.ts AuditAction). */
const ACTION: Record<AuditEntry['action'], string> = {
  paused: 'pause', resumed: 'resume', synced: 'sync', resolved: 'resolve', relinked: 'update', 'changed policy': 'update',
};

const KEY_SETTINGS = new Set(['luccaKey', 'targetKey', 'luccaUrl', 'targetUrl']);
const POLICY_SETTINGS = new Set(['policy', 'fieldPolicies', 'deactivationGuard']);

/** The audit log's action codes in the console's words: an update of keys only is a relink, of policies only a policy change. */
export function auditWords(action: string, detail: Record<string, unknown>): string {
  const changed = Array.isArray(detail.changed) ? (detail.changed as unknown[]).map(String) : [];
  if (action === 'update' && changed.length > 0 && changed.every((c) => KEY_SETTINGS.has(c))) return 'relinked';
  if (action === 'update' && changed.length > 0 && changed.every((c) => POLICY_SETTINGS.has(c))) return 'changed policy';
  if (action === 'sync' && detail.full === true) return 'started a full resync';
  if (action === 'sync' && detail.dryRun === true) return 'previewed (dry run)';
  return ({ pause: 'paused', resume: 'resumed', sync: 'synced', resolve: 'resolved', activate: 'activated', add: 'added', remove: 'removed' } as Record<string, string>)[action] ?? action;
}

export const serviceSeams: ConsoleSeams = {
  async healthOf(db, rows) {
    const stored = await loadEvaluatedHealth(db, rows.map((r) => r.id));
    const out = new Map<string, Health>();
    for (const [id, state] of stored) {
      const health = shown(state);
      if (health) out.set(id, health);
    }
    return out;
  },
  async recordAudit(db, entry) {
    await insertAudit(db, {
      actor: `account:${entry.actor}`, action: ACTION[entry.action], connectionId: entry.connectionId, connectionName: null,
      detail: entry.detail ? { note: entry.detail } : {},
    });
  },
  async listAudit(db, connectionId, limit) {
    const rows = await connectionAudit(db, connectionId, limit);
    return rows.map((r) => ({
      at: r.at, actor: r.actor, action: auditWords(r.action, r.detail) as AuditEntry['action'], connectionId,
      ...(Object.keys(r.detail).length > 0 && { detail: formatAuditDetail(r.detail) }),
    }));
  },
};
