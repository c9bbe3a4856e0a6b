import type { HappyPalClient, RecordRejection, WriteResult } from './client.js';
import type { PlannedWrite } from './plan-model.js';
import { idempotencyKey } from '../../../rules/idempotency.js';

/**
 * The HappyPal calls of one planned line (create, or update then lifecycle), each with its
 * idempotency key: a call repeated after a crash or a lost answer gets HappyPal's first result.
 * Returns the profile's id, or the record's rejection (422/409). Used by the write activity and,
 * so that it sends exactly the same requests, by the benchmark's baseline.
 */
export async function writePlannedLine(
  happypal: HappyPalClient,
  ids: { connectionId: string; runId: string },
  line: { sourceId: string; targetId: string | null },
  plan: PlannedWrite,
): Promise<{ targetId: string } | RecordRejection> {
  const key = (operation: string, content: unknown) =>
    idempotencyKey({ connectionId: ids.connectionId, sourceId: line.sourceId, runId: ids.runId, operation, content });
  let targetId = line.targetId;
  const step = async (result: Promise<WriteResult>) => {
    const r = await result;
    if (r.ok) targetId = r.user.id;
    return r;
  };
  if (plan.create) {
    const r = await step(happypal.createUser(plan.create as never, key('create', plan.create)));
    if (!r.ok) return r;
  }
  if (plan.update && targetId) {
    const r = await step(happypal.updateUser(targetId, plan.update as never, key('update', plan.update)));
    if (!r.ok) return r;
  }
  if (plan.lifecycle && targetId) {
    const call = plan.lifecycle === 'deactivate' ? happypal.deactivateUser : happypal.reactivateUser;
    const r = await step(call(targetId, key(plan.lifecycle, targetId)));
    if (!r.ok) return r;
  }
  if (!targetId) throw new Error('A planned write has no target profile.');
  return { targetId };
}
