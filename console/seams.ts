import type { Db } from '../db/client.js';
import type { ConnectionOverview } from '../db/queries/console.js';

/**
 * Where the console meets the service layer of issue 18 (services/health.ts and services/audit.ts,
 * written in another branch). The console never computes health or writes audit rows itself: these
 * defaults show "unknown" and keep no audit, and the merge wires the real services here.
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

export const unwiredSeams: ConsoleSeams = {
  healthOf: async () => new Map(),
  recordAudit: async () => undefined,
  listAudit: async () => [],
};
