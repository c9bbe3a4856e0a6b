import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { conflicts, connections, snapshots } from '../schema.js';

/** The side a resolution keeps: Lucca's value, or the target's (whichever the connection's target is). */
export type ConflictSide = 'lucca' | 'target';

export type ConflictResolution =
  | { resolved: true; field: string; sourceId: string; connectionId: string; connectionName: string; target: string }
  | { resolved: false; reason: 'unknown' }
  | { resolved: false; reason: 'other_target'; target: string }
  | { resolved: false; reason: 'already_resolved'; resolution: string | null };

/**
 * Resolves an open conflict by moving the planner's inputs, in one transaction (the conflict and
 * its record's snapshot locked):
 * - keep Lucca: the base becomes the target's value, so the next sync sees "Lucca changed" and writes Lucca's value;
 * - keep the target: the base becomes Lucca's value and the target's value is recorded as kept on
 *   purpose, so the next sync leaves it while neither side moves.
 */
export async function resolveOpenConflict(db: Db, id: number, keep: ConflictSide, options: { target?: string } = {}): Promise<ConflictResolution> {
  return db.transaction(async (tx) => {
    const [found] = await tx.select({ conflict: conflicts, connectionName: connections.name, target: connections.target }).from(conflicts)
      .innerJoin(connections, eq(connections.id, conflicts.connectionId)).where(eq(conflicts.id, id)).for('update', { of: conflicts });
    const conflict = found?.conflict;
    if (!found || !conflict) return { resolved: false, reason: 'unknown' };
    if (conflict.status !== 'open') return { resolved: false, reason: 'already_resolved', resolution: conflict.resolution };
    // The caller named the target it meant to keep (`--keep reflect`): it must be the connection's.
    if (options.target !== undefined && options.target !== found.target) return { resolved: false, reason: 'other_target', target: found.target };
    const key = and(
      eq(snapshots.connectionId, conflict.connectionId), eq(snapshots.dataset, conflict.dataset), eq(snapshots.sourceId, conflict.sourceId),
    );
    const [snapshot] = await tx.select().from(snapshots).where(key).for('update');
    const fields = { ...(snapshot?.fields ?? {}) };
    const kept = { ...(snapshot?.kept ?? {}) };
    if (keep === 'lucca') {
      fields[conflict.field] = conflict.targetValue;
      delete kept[conflict.field];
    } else {
      fields[conflict.field] = conflict.sourceValue;
      kept[conflict.field] = conflict.targetValue;
    }
    if (snapshot) await tx.update(snapshots).set({ fields, kept, updatedAt: new Date() }).where(key);
    else {
      await tx.insert(snapshots).values({
        connectionId: conflict.connectionId, dataset: conflict.dataset, sourceId: conflict.sourceId, fields, kept,
      });
    }
    await tx.update(conflicts).set({ status: 'resolved', resolution: keep, resolvedAt: new Date() }).where(eq(conflicts.id, id));
    return { resolved: true, field: conflict.field, sourceId: conflict.sourceId, connectionId: conflict.connectionId, connectionName: found.connectionName, target: found.target };
  });
}
