import { and, asc, eq, inArray, isNull, notExists, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { CredentialCipher } from '../../lib/credentials.js';
import type { Db } from '../client.js';
import { insertedRow } from './rows.js';
import { TARGETS, TargetNameSchema } from '../../activities/targets/registry.js';
import { SYNCED_FIELDS } from '../../rules/person.js';
import { PolicySchema } from '../../rules/three-way.js';
import {
  conflicts, connections, datasetCursors, quarantine, recordLinks, reportLines, snapshots, stagedRecords, syncRuns,
} from '../schema.js';

export { PolicySchema };
export const SyncedFieldSchema = z.enum(SYNCED_FIELDS);
export const ConnectionNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63 characters, e.g. acme-happypal');

/** Far above any real key (Lucca's are 36 characters), far below what would bloat every request. */
export const API_KEY_MAX_LENGTH = 4096;

/**
 * An API key as it goes into an HTTP header: printable ASCII without spaces. A newline or another
 * control character would break the header (a sync then hangs on retries), a blank key is a paste
 * gone wrong, and a huge one is not a key. The messages never quote the key.
 */
export const ApiKeySchema = z.string().superRefine((key, ctx) => {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (key.length > API_KEY_MAX_LENGTH) return issue(`an API key of at most ${API_KEY_MAX_LENGTH} characters (this one has ${key.length})`);
  if (key.trim() === '') return issue('an API key, not a blank value');
  if (/[\u0000-\u001f\u007f]/.test(key)) return issue('an API key on one line, without newline, tab or other control character (copy it again)');
  if (/[^\x21-\x7e]/.test(key)) return issue('an API key without spaces or non-ASCII characters (copy it again)');
  if (key.length < 8) return issue('an API key of at least 8 characters');
});

export const CompanySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a company id: lower-case letters, digits and dashes, e.g. acme');

/** What an operator gives to create a connection (validated at the CLI edge with this schema). */
export const NewConnectionSchema = z.object({
  name: ConnectionNameSchema,
  target: TargetNameSchema,
  luccaUrl: z.string(),
  luccaKey: ApiKeySchema,
  targetUrl: z.string().url('a URL such as https://api.happypal.fr'),
  targetKey: ApiKeySchema,
  defaultPolicy: PolicySchema.default('lucca-wins'),
  fieldPolicies: z.partialRecord(SyncedFieldSchema, PolicySchema).default({}),
  deactivationGuardPct: z.number().int().min(0).max(100).default(10),
  /** The customer company (its HR admins see the connection in the console). */
  company: CompanySchema.optional(),
});
export type NewConnection = z.input<typeof NewConnectionSchema>;
export type Connection = typeof connections.$inferSelect;

/** Stores a connection with its keys encrypted. Some targets' connections start inactive (activated by the publisher: TargetDescriptor.startsActive). */
export async function insertConnection(db: Db, cipher: CredentialCipher, input: NewConnection, options: { active?: boolean } = {}): Promise<Connection> {
  const parsed = NewConnectionSchema.parse(input);
  const rows = await db
    .insert(connections)
    .values({
      name: parsed.name,
      target: parsed.target,
      luccaUrl: parsed.luccaUrl,
      luccaKeyEnc: cipher.encrypt(parsed.luccaKey),
      targetUrl: parsed.targetUrl,
      targetKeyEnc: cipher.encrypt(parsed.targetKey),
      active: options.active ?? TARGETS[parsed.target].startsActive,
      defaultPolicy: parsed.defaultPolicy,
      fieldPolicies: parsed.fieldPolicies,
      deactivationGuardPct: parsed.deactivationGuardPct,
      company: parsed.company ?? null,
    })
    .returning();
  return insertedRow(rows, 'connection');
}

/** A live connection by name (a removed one keeps its row, but not its name). */
export async function findConnectionByName(db: Db, name: string): Promise<Connection | undefined> {
  const [row] = await db.select().from(connections).where(and(eq(connections.name, name), isNull(connections.removedAt)));
  return row;
}

/** A connection by id, removed or not. */
export async function findConnectionById(db: Db, id: string): Promise<Connection | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id));
  return row;
}

/** Every live connection, by name. */
export async function listConnections(db: Db): Promise<Connection[]> {
  return db.select().from(connections).where(isNull(connections.removedAt)).orderBy(asc(connections.name));
}

export type ConnectionChanges = Partial<Pick<Connection,
  'name' | 'luccaUrl' | 'luccaKeyEnc' | 'targetUrl' | 'targetKeyEnc' | 'defaultPolicy' | 'fieldPolicies' | 'active' | 'deactivationGuardPct' | 'allowedHosts' | 'target' | 'company' | 'scope' | 'fieldMappings'>>;

export async function updateConnection(db: Db, id: string, set: ConnectionChanges) {
  await db.update(connections).set({ ...set, updatedAt: new Date() }).where(eq(connections.id, id));
}

export async function deleteConnectionRow(db: Db, id: string): Promise<void> {
  await db.delete(connections).where(eq(connections.id, id));
}

/** What we hold for one connection, counted (for the confirmation of remove and reset). */
export interface HeldCounts {
  runs: number;
  reportLines: number;
  stagedRecords: number;
  links: number;
  snapshots: number;
  cursors: number;
  quarantined: number;
  openConflicts: number;
  conflicts: number;
}

export async function countHeld(db: Db, connectionId: string): Promise<HeldCounts> {
  const runIds = db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
  const n = sql<number>`count(*)::int`;
  const count = async (q: Promise<{ n: number }[]>) => (await q)[0]?.n ?? 0;
  const [runs, lines, staged, links, snaps, cursors, quarantined, open, all] = await Promise.all([
    count(db.select({ n }).from(syncRuns).where(eq(syncRuns.connectionId, connectionId))),
    count(db.select({ n }).from(reportLines).where(inArray(reportLines.runId, runIds))),
    count(db.select({ n }).from(stagedRecords).where(inArray(stagedRecords.runId, runIds))),
    count(db.select({ n }).from(recordLinks).where(eq(recordLinks.connectionId, connectionId))),
    count(db.select({ n }).from(snapshots).where(eq(snapshots.connectionId, connectionId))),
    count(db.select({ n }).from(datasetCursors).where(eq(datasetCursors.connectionId, connectionId))),
    count(db.select({ n }).from(quarantine).where(eq(quarantine.connectionId, connectionId))),
    count(db.select({ n }).from(conflicts).where(and(eq(conflicts.connectionId, connectionId), eq(conflicts.status, 'open')))),
    count(db.select({ n }).from(conflicts).where(eq(conflicts.connectionId, connectionId))),
  ]);
  return { runs, reportLines: lines, stagedRecords: staged, links, snapshots: snaps, cursors, quarantined, openConflicts: open, conflicts: all };
}

/**
 * `connection remove`, in one transaction. Always: the row is marked removed, inactive, its keys
 * wiped (the name is freed by the partial unique index); the working state that only serves the next
 * sync is deleted (staged records, snapshots, quarantine, Reflect cursors, conflicts). Kept: the
 * runs with their counts, the reports and the links (what we wrote where). `purge` also deletes
 * the reports' lines and the links: no personal value or person's id stays, only runs' counts.
 */
export async function removeConnectionData(db: Db, connectionId: string, options: { purge: boolean }): Promise<void> {
  await db.transaction(async (tx) => {
    const runIds = tx.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
    await tx.update(connections)
      .set({ removedAt: new Date(), active: false, luccaKeyEnc: '', targetKeyEnc: '', updatedAt: new Date() })
      .where(eq(connections.id, connectionId));
    await tx.delete(stagedRecords).where(inArray(stagedRecords.runId, runIds));
    await tx.delete(snapshots).where(eq(snapshots.connectionId, connectionId));
    await tx.delete(quarantine).where(eq(quarantine.connectionId, connectionId));
    await tx.delete(datasetCursors).where(eq(datasetCursors.connectionId, connectionId));
    await tx.delete(conflicts).where(eq(conflicts.connectionId, connectionId));
    if (options.purge) {
      await tx.delete(reportLines).where(inArray(reportLines.runId, runIds));
      await tx.delete(recordLinks).where(eq(recordLinks.connectionId, connectionId));
    }
  });
}

/**
 * `connection reset`: forgets what we last wrote (snapshots) and the read cursors (Reflect datasets, HappyPal incremental reads), so the
 * next run reads everything and compares with the target afresh. Links stay (records attach by link,
 * then by email: nothing is created twice), and so do the snapshots of records with an open conflict
 * (the HR admin's pending decision keeps its base). Returns how many snapshots and cursors went.
 */
export async function resetConnectionMemory(db: Db, connectionId: string): Promise<{ snapshots: number; cursors: number }> {
  return db.transaction(async (tx) => {
    const openConflict = tx.select({ one: sql`1` }).from(conflicts).where(and(
      eq(conflicts.connectionId, snapshots.connectionId), eq(conflicts.dataset, snapshots.dataset),
      eq(conflicts.sourceId, snapshots.sourceId), eq(conflicts.status, 'open'),
    ));
    const gone = await tx.delete(snapshots).where(and(eq(snapshots.connectionId, connectionId), notExists(openConflict)))
      .returning({ id: snapshots.sourceId });
    const cursors = await tx.delete(datasetCursors).where(eq(datasetCursors.connectionId, connectionId))
      .returning({ id: datasetCursors.dataset });
    return { snapshots: gone.length, cursors: cursors.length };
  });
}

/** Lucca ids linked to a target profile, for the scope preview (which linked people would leave the scope). */
export async function linkedSourceIds(db: Db, connectionId: string, dataset: string): Promise<string[]> {
  const rows = await db.select({ sourceId: recordLinks.sourceId }).from(recordLinks)
    .where(and(eq(recordLinks.connectionId, connectionId), eq(recordLinks.dataset, dataset)));
  return rows.map((r) => r.sourceId);
}
