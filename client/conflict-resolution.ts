import type { Db } from '../db/client.js';
import { resolveOpenConflict } from '../db/queries/conflicts.js';
import { UsageError } from './errors.js';

export type Keep = 'lucca' | 'happypal';

/**
 * Resolves an open conflict (db/queries/conflicts.ts resolveOpenConflict): keep Lucca's value, or
 * HappyPal's. An unknown or already resolved conflict is the operator's mistake.
 */
export async function resolveConflict(db: Db, id: number, keep: Keep): Promise<{ field: string; sourceId: string; connectionId: string; connectionName: string }> {
  const result = await resolveOpenConflict(db, id, keep === 'lucca' ? 'lucca' : 'target');
  if (result.resolved) return { field: result.field, sourceId: result.sourceId, connectionId: result.connectionId, connectionName: result.connectionName };
  if (result.reason === 'unknown') throw new UsageError(`unknown conflict ${id}: see \`lucca-sync conflicts list\`.`);
  throw new UsageError(`conflict ${id} is already resolved (${result.resolution ?? 'resolved'}).`);
}
