/**
 * A connection's scope (rules/scope.ts) on Reflect's four datasets. Pure.
 *
 * - employees: a person outside the scope, or whose org the key cannot see, is never written. One we
 *   wrote before who is now outside it (excluded, or no longer included) **leaves the scope**: Reflect
 *   has no active / inactive status, its lifecycle is the contract end (a leaver's record stays, with
 *   `contract_end`), so the record we last wrote is sent again with `contract_end` set to the day the
 *   sync found them out (never before their contract start), under the connection's deactivation
 *   guard (diff.ts). Nothing else of them is updated while they stay out; back in the scope, their
 *   record is Lucca's again (their real contract end).
 * - compensation, absences, expenses: a record whose owner is outside the scope, or whose owner's org
 *   the key cannot see, is never written, and neither is a later record of someone who left. What we
 *   wrote before they left stays on Reflect as it is, as for a contract end (Reflect keeps a leaver's
 *   history): never updated, never deleted by a full read while its owner is out.
 */
import { evaluateScope, orgOf, type ResolvedScope, type ScopeVerdict } from '../../../rules/scope.js';
import { isExtraKey, targetOfExtraKey, type FieldMapping } from '../../../rules/field-mapping.js';
import type { StagedRow } from '../../../db/queries/staging.js';
import { idOf, isObject, type Fields, type ReflectRecord } from './model.js';

/** The scope's verdict on each person read (by Lucca user id). A person not read has none. */
export type Verdicts = ReadonlyMap<string, ScopeVerdict>;

/** Evaluates the scope on every user row read (v3 users with their org ids); rows without an id are left out. */
export function verdictsOf(scope: ResolvedScope | null, users: readonly StagedRow[]): Map<string, ScopeVerdict> {
  const out = new Map<string, ScopeVerdict>();
  for (const row of users) {
    const id = isObject(row.data) ? idOf(row.data.id) : null;
    if (id !== null) out.set(id, evaluateScope(scope, orgOf(row.data)));
  }
  return out;
}

/**
 * Whether a record owned by `owner` may be written. An owner the org read did not return cannot be
 * placed in the scope: not written (unknown is not empty). An owner the record does not name is
 * left to the mapping, which quarantines the record (nothing is written either way).
 */
export function ownerVerdict(verdicts: Verdicts, owner: string | null): ScopeVerdict | null {
  if (owner === null) return null;
  return verdicts.get(owner) ?? { in: 'unknown', dimension: 'legalEntities' };
}

/** What the scope left out of one dataset this run, for the run's message (counts only). */
export interface ScopeTally {
  /** Records (employees: people) outside the scope, not written. */
  outside: number;
  /** Records whose owner's org the key cannot see (or the org read did not return), not written. */
  notVisible: number;
}

export const emptyTally = (): ScopeTally => ({ outside: 0, notVisible: 0 });

export function count(tally: ScopeTally, verdict: ScopeVerdict): void {
  if (verdict.in === false) tally.outside += 1;
  else if (verdict.in === 'unknown') tally.notVisible += 1;
}

const WHAT: Record<string, string> = { employees: 'employee(s)', compensation: 'pay item(s)', absences: 'absence(s)', expenses: 'expense report(s)' };

/** The run's message about what the scope left out, or null. Counts only. */
export function scopeNote(dataset: string, tally: ScopeTally): string | null {
  const what = WHAT[dataset] ?? `${dataset} record(s)`;
  const parts: string[] = [];
  if (tally.outside > 0) parts.push(`${tally.outside} ${what} of people outside the connection's scope were not synced.`);
  if (tally.notVisible > 0) {
    parts.push(`${tally.notVisible} ${what} were not synced because the organisation data the scope uses (legal entity, establishment or department) ` +
      'is not visible to the Lucca key for the people concerned; what Reflect has of them was left as it is. Grant the key\'s role "Consult users" on the whole organisation.');
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

/**
 * The employees record of someone who left the scope: what we last wrote (`snapshot`), ended the day
 * the sync found them out (`today`, or their contract start if it is later: Reflect refuses an end
 * before the start). Null when the record is already ended by then (nothing to write). `mappings`
 * give number attributes back their type (snapshots keep values as text).
 */
export function endedRecord(snapshot: Fields, today: string, mappings: readonly FieldMapping[] = []): ReflectRecord | null {
  const end = snapshot.contract_end ?? null;
  if (end !== null && end <= today) return null;
  const start = snapshot.contract_start ?? null;
  const endOn = start !== null && start > today ? start : today;
  if (end !== null && end <= endOn) return null;
  const numbers = new Set(mappings.filter((m) => m.type === 'number').map((m) => m.target));
  const record: ReflectRecord = {};
  for (const [key, value] of Object.entries(snapshot)) {
    record[key] = value !== null && isExtraKey(key) && numbers.has(targetOfExtraKey(key)) && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  record.contract_end = endOn;
  return record;
}
