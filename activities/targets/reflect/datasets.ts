/**
 * Per dataset: which staged rows it maps, how, and which snapshots a run's read covers completely
 * (their absence from the read means Lucca deleted them). Pure.
 */
import type { ReflectDataset } from './schemas.js';
import { groupAbsences, parseLeaveRow, windowInterior, type LeaveRow } from './group-absences.js';
import { currencyIndex, mapFixedItem, mapVariableItem } from './to-reflect-compensation.js';
import { mapEmployee } from './to-reflect-employee.js';
import { mapExpenseClaim } from './to-reflect-expense.js';
import { idOf, isObject, type Fields, type Mapped } from './model.js';
import type { ReadPlan } from './read-plan.js';
import { STAGED } from './readers.js';
import type { StagedRow } from '../../../db/queries/staging.js';
import type { FieldMapping } from '../../../rules/field-mapping.js';
import type { ResolvedScope, ScopeVerdict } from '../../../rules/scope.js';
import { compensationOwnerOf } from './to-reflect-compensation.js';
import { expenseOwnerOf } from './to-reflect-expense.js';
import { count, emptyTally, ownerVerdict, verdictsOf, type ScopeTally } from './scope.js';


/** Staged rows of this run by staged dataset name (`lucca-users`…). */
export type StagedByName = ReadonlyMap<string, readonly StagedRow[]>;

export interface MappedDataset {
  mapped: Mapped[];
  inScope: ((id: string, fields: Fields) => boolean) | null;
  /** Employees only: people we may have written who are now outside the connection's scope (diff.ts ends them). */
  leavers: string[];
  /** What the connection's scope left out (not mapped, not written). */
  scope: ScopeTally;
}

export const stagedNamesOf = (plan: ReadPlan): string[] => [...new Set(plan.parts.map((p) => STAGED[p.kind]))];

/** `hidden`: employee fields (visibility.ts) and mapped attributes (`attr.<name>`, mapped-visibility.ts) hidden run-wide. */
/** `mappings`: the connection's extra fields, added to employees as custom attributes. */
/**
 * `scope`: the connection's scope when the plan was read with one (`plan.scoped`; scope.ts): records
 * of people outside it are left out before mapping, and left out of the records a complete read
 * covers, so what we wrote of them is neither updated nor deleted.
 */
export function mapDataset(
  dataset: ReflectDataset, staged: StagedByName, plan: ReadPlan, today: string, hidden: readonly string[] = [], mappings: readonly FieldMapping[] = [],
  scope: ResolvedScope | null = null,
): MappedDataset {
  const rows = (kind: keyof typeof STAGED) => staged.get(STAGED[kind]) ?? [];
  const everything = () => true;
  const tally = emptyTally();
  const scoped = plan.scoped === true && scope !== null;
  // Other datasets: each owner's verdict, from this run's org read.
  const verdicts = scoped && dataset !== 'employees' ? verdictsOf(scope, rows('org')) : new Map();
  /** Keeps a record whose owner is in the scope (or unnamed: the mapping quarantines it). */
  const keep = (owner: string | null): boolean => {
    if (!scoped) return true;
    const verdict = ownerVerdict(verdicts, owner);
    if (verdict === null || verdict.in === true) return true;
    count(tally, verdict);
    return false;
  };
  const ownerRead = (owner: string | null | undefined) => (owner ? verdicts.get(owner) : undefined);
  /** A snapshot whose owner was read and is out of the scope lies outside what this read covers. */
  const covered = (base: ((id: string, f: Fields) => boolean) | null) => (base === null || !scoped ? base
    : (id: string, f: Fields) => base(id, f) && (ownerRead(f.employee_external_id)?.in ?? true) === true);
  const owned = (items: readonly StagedRow[], ownerOf: (raw: Record<string, unknown>) => string | null) =>
    items.filter((r) => keep(isObject(r.data) ? ownerOf(r.data) : null));
  switch (dataset) {
    case 'employees': {
      const users = rows('users');
      const byId = scoped ? verdictsOf(scope, users) : new Map();
      const leavers: string[] = [];
      const kept = users.filter((r) => {
        const id = isObject(r.data) ? idOf(r.data.id) : null;
        const verdict = id === null ? undefined : byId.get(id);
        if (verdict === undefined || verdict.in === true) return true;
        count(tally, verdict);
        if (verdict.in === false) leavers.push(id as string);
        return false;
      });
      return {
        mapped: kept.map((r, i) => mapEmployee(r.data, today, i, hidden, mappings)),
        // People read and outside the scope are not missing: what we wrote of them stays.
        inScope: !plan.full ? null : scoped ? (id) => (byId.get(id)?.in ?? true) === true : everything,
        leavers, scope: tally,
      };
    }
    case 'expenses':
      return {
        mapped: owned(rows('expense-claims'), expenseOwnerOf).map((r, i) => mapExpenseClaim(r.data, i)),
        inScope: covered(plan.full ? everything : null), leavers: [], scope: tally,
      };
    case 'compensation': {
      const fixed = owned(rows('fixed-items'), compensationOwnerOf);
      const variable = owned(rows('variable-items'), compensationOwnerOf);
      const index = currencyIndex(rows('work-contracts').map((r) => r.data), [...fixed, ...variable].map((r) => r.data));
      const mapped = [
        ...fixed.map((r, i) => mapFixedItem(r.data, i, index)),
        ...variable.map((r, i) => mapVariableItem(r.data, i, index)),
      ];
      return { mapped, inScope: covered(everything), leavers: [], scope: tally };
    }
    case 'absences': {
      if (!plan.window) throw new Error('An absences read plan has a date window.');
      const parsed: LeaveRow[] = [];
      const outPeriods = new Map<string, ScopeVerdict>();
      const bad: Mapped[] = [];
      for (const r of rows('leaves')) {
        const row = parseLeaveRow(r.data);
        const verdict = row && scoped ? ownerVerdict(verdicts, row.ownerId) : null;
        // One leave is many half-day rows: what is left out is counted by leave period.
        if (row && verdict && verdict.in !== true) outPeriods.set(row.leavePeriodId, verdict);
        else if (row) parsed.push(row);
        else bad.push({ kind: 'invalid', id: `leave-row-${r.sourceId}`, reasons: [{ code: 'malformed_record', message: 'leave row without its date, half-day, period, account, owner or status' }] });
      }
      for (const verdict of outPeriods.values()) count(tally, verdict);
      const inside = windowInterior(plan.window);
      return {
        mapped: [...groupAbsences(parsed, plan.window), ...bad],
        inScope: covered((_id, f) => f.starts_on !== undefined && f.starts_on !== null && f.ends_on !== undefined && f.ends_on !== null &&
          f.starts_on >= inside.from && f.ends_on <= inside.to),
        leavers: [], scope: tally,
      };
    }
  }
}
