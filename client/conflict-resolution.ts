import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { conflicts, connections, snapshots } from '../db/schema.js';
import { UsageError } from './errors.js';

export type Keep = 'lucca' | 'happypal';

/**
 * Resolves an open conflict by moving the planner's inputs, in one transaction:
 * - keep Lucca: the base becomes HappyPal's value, so the next sync sees "Lucca changed" and writes Lucca's value;
 * - keep HappyPal: the base becomes Lucca's value and HappyPal's value is recorded as kept on purpose, so the
 *   next sync leaves it while neither side moves.
 */
export async function resolveConflict(db: Db, id: number, keep: Keep): Promise<{ field: string; sourceId: string; connectionId: string; connectionName: string }> {
  return db.transaction(async (tx) => {
    const [found] = await tx.select({ conflict: conflicts, connectionName: connections.name }).from(conflicts)
      .innerJoin(connections, eq(connections.id, conflicts.connectionId)).where(eq(conflicts.id, id)).for('update', { of: conflicts });
    const conflict = found?.conflict;
    if (!found || !conflict) throw new UsageError(`unknown conflict ${id}: see \`lucca-sync conflicts list\`.`);
    if (conflict.status !== 'open') throw new UsageError(`conflict ${id} is already resolved (${conflict.resolution ?? 'resolved'}).`);
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
    await tx.update(conflicts)
      .set({ status: 'resolved', resolution: keep === 'lucca' ? 'lucca' : 'target', resolvedAt: new Date() })
      .where(eq(conflicts.id, id));
    return { field: conflict.field, sourceId: conflict.sourceId, connectionId: conflict.connectionId, connectionName: found.connectionName };
  });
}
