/**
 * Employee lifecycle on the target (docs/design.md §3 "Lifecycle"): deactivate, never delete; a rehire
 * re-activates the same profile; deactivations of people no longer returned are guarded.
 *
 * Documented decisions:
 * - A contract that ends *strictly before* `today` makes the employee inactive; the end day itself
 *   is still a working day, so the employee is active on it.
 * - Future starters (contractStart after today) are created and kept *active*: the benefits platform
 *   onboards them before day one. Only the end date drives deactivation.
 * - The guard compares integers (`toDeactivate * 100 > thresholdPct * linked`), so exactly the
 *   threshold is allowed, with no floating-point edge.
 */
import { z } from 'zod';
import { isValidIsoDate, type Person } from './person.js';

export const TargetStatusSchema = z.enum(['active', 'inactive']);
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

export const LifecycleActionSchema = z.enum(['deactivate', 'reactivate']);
export type LifecycleAction = z.infer<typeof LifecycleActionSchema>;

export const DEFAULT_DEACTIVATION_THRESHOLD_PCT = 10;
export const CONFIRM_DEACTIVATIONS_FLAG = '--confirm-deactivations';

export function desiredStatus(person: Pick<Person, 'contractStart' | 'contractEnd'>, today: string): TargetStatus {
  if (!isValidIsoDate(today)) throw new RangeError('desiredStatus: today must be a YYYY-MM-DD date');
  return person.contractEnd !== null && person.contractEnd < today ? 'inactive' : 'active';
}

/** `targetStatus` null = no profile yet (a create carries its status; nothing to change). */
export function lifecycleAction(desired: TargetStatus, targetStatus: TargetStatus | null): LifecycleAction | null {
  if (targetStatus === 'active' && desired === 'inactive') return 'deactivate';
  if (targetStatus === 'inactive' && desired === 'active') return 'reactivate';
  return null;
}

/**
 * Linked employees that the fetch no longer returned at all, in the order of `linkedSourceIds`.
 * Only meaningful after a complete, successful fetch (the caller's responsibility).
 */
export function missingSourceIds(linkedSourceIds: Iterable<string>, fetchedSourceIds: Iterable<string>): string[] {
  const fetched = new Set(fetchedSourceIds);
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const id of linkedSourceIds) {
    if (fetched.has(id) || seen.has(id)) continue;
    seen.add(id);
    missing.push(id);
  }
  return missing;
}

export interface GuardInput {
  toDeactivate: number;
  linked: number;
  thresholdPct?: number;
  override?: boolean;
}

export interface GuardResult {
  allowed: boolean;
  message: string;
}

export function guardDeactivations({
  toDeactivate,
  linked,
  thresholdPct = DEFAULT_DEACTIVATION_THRESHOLD_PCT,
  override = false,
}: GuardInput): GuardResult {
  for (const [name, v] of [['toDeactivate', toDeactivate], ['linked', linked], ['thresholdPct', thresholdPct]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`guardDeactivations: ${name} must be a non-negative number`);
  }
  if (linked === 0 || toDeactivate === 0) {
    return { allowed: true, message: `${toDeactivate} deactivation(s); nothing to guard (${linked} linked profiles).` };
  }
  const pct = ((toDeactivate / linked) * 100).toFixed(1);
  const what = `${toDeactivate} of ${linked} linked profiles (${pct} %) would be deactivated`;
  if (toDeactivate * 100 <= thresholdPct * linked) {
    return { allowed: true, message: `${what}, within the ${thresholdPct} % guard.` };
  }
  if (override) {
    return { allowed: true, message: `${what}, above the ${thresholdPct} % guard; confirmed by the operator.` };
  }
  return {
    allowed: false,
    message:
      `Deactivation guard: ${what}, above the ${thresholdPct} % threshold. The run stopped before writing. ` +
      `If this is expected, re-run with ${CONFIRM_DEACTIVATIONS_FLAG}.`,
  };
}
