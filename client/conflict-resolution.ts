import type { Db } from '../db/client.js';
import { resolveOpenConflict, type ConflictSide } from '../db/queries/conflicts.js';
import { isTargetName, TARGET_NAMES, targetLabel, type TargetName } from '../activities/targets/registry.js';
import { UsageError } from './errors.js';

/** What `--keep` accepts: `lucca`, `target`, or the target by its name (the conflict's connection's own). */
export const KEEP_CHOICES = `lucca or target (or the target's name: ${TARGET_NAMES.join(', ')})`;

/** `--keep`'s value as a side, with the target's name when one was given (checked against the conflict's connection). */
export function parseKeep(value: string): { side: ConflictSide; target?: TargetName } {
  if (value === 'lucca' || value === 'target') return { side: value };
  if (isTargetName(value)) return { side: 'target', target: value };
  throw new UsageError(`bad --keep "${value}": expected ${KEEP_CHOICES}.`);
}

/**
 * Resolves an open conflict (db/queries/conflicts.ts resolveOpenConflict): keep Lucca's value, or the
 * target's. An unknown or already resolved conflict, or a target that is not the conflict's, is the operator's mistake.
 */
export async function resolveConflict(
  db: Db, id: number, keep: ConflictSide, options: { target?: TargetName } = {},
): Promise<{ field: string; sourceId: string; connectionId: string; connectionName: string; target: string }> {
  const result = await resolveOpenConflict(db, id, keep, options);
  if (result.resolved) {
    return { field: result.field, sourceId: result.sourceId, connectionId: result.connectionId, connectionName: result.connectionName, target: result.target };
  }
  if (result.reason === 'unknown') throw new UsageError(`unknown conflict ${id}: see \`lucca-sync conflicts list\`.`);
  if (result.reason === 'other_target') {
    throw new UsageError(`conflict ${id} is between Lucca and ${targetLabel(result.target)}, not ${targetLabel(options.target ?? '')}: use --keep lucca or --keep target.`);
  }
  throw new UsageError(`conflict ${id} is already resolved (${result.resolution ?? 'resolved'}).`);
}
