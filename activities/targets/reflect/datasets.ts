/**
 * Per dataset: which staged rows it maps, how, and which snapshots a run's read covers completely
 * (their absence from the read means Lucca deleted them). Pure.
 */
import type { ReflectDataset } from './schemas.js';
import { groupAbsences, parseLeaveRow, windowInterior, type LeaveRow } from './group-absences.js';
import { currencyIndex, mapFixedItem, mapVariableItem } from './to-reflect-compensation.js';
import { mapEmployee } from './to-reflect-employee.js';
import { mapExpenseClaim } from './to-reflect-expense.js';
import type { Fields, Mapped } from './model.js';
import type { ReadPlan } from './read-plan.js';
import { STAGED } from './readers.js';
import type { StagedRow } from '../../../db/queries/staging.js';
import type { FieldMapping } from '../../../rules/field-mapping.js';


/** Staged rows of this run by staged dataset name (`lucca-users`…). */
export type StagedByName = ReadonlyMap<string, readonly StagedRow[]>;

export interface MappedDataset {
  mapped: Mapped[];
  inScope: ((id: string, fields: Fields) => boolean) | null;
}

export const stagedNamesOf = (plan: ReadPlan): string[] => [...new Set(plan.parts.map((p) => STAGED[p.kind]))];

/** `hidden`: employee fields (visibility.ts) and mapped attributes (`attr.<name>`, mapped-visibility.ts) hidden run-wide. */
/** `mappings`: the connection's extra fields, added to employees as custom attributes. */
export function mapDataset(
  dataset: ReflectDataset, staged: StagedByName, plan: ReadPlan, today: string, hidden: readonly string[] = [], mappings: readonly FieldMapping[] = [],
): MappedDataset {
  const rows = (kind: keyof typeof STAGED) => staged.get(STAGED[kind]) ?? [];
  const everything = () => true;
  switch (dataset) {
    case 'employees':
      return { mapped: rows('users').map((r, i) => mapEmployee(r.data, today, i, hidden, mappings)), inScope: plan.full ? everything : null };
    case 'expenses':
      return { mapped: rows('expense-claims').map((r, i) => mapExpenseClaim(r.data, i)), inScope: plan.full ? everything : null };
    case 'compensation': {
      const fixed = rows('fixed-items');
      const variable = rows('variable-items');
      const index = currencyIndex(rows('work-contracts').map((r) => r.data), [...fixed, ...variable].map((r) => r.data));
      const mapped = [
        ...fixed.map((r, i) => mapFixedItem(r.data, i, index)),
        ...variable.map((r, i) => mapVariableItem(r.data, i, index)),
      ];
      return { mapped, inScope: everything };
    }
    case 'absences': {
      if (!plan.window) throw new Error('An absences read plan has a date window.');
      const parsed: LeaveRow[] = [];
      const bad: Mapped[] = [];
      for (const r of rows('leaves')) {
        const row = parseLeaveRow(r.data);
        if (row) parsed.push(row);
        else bad.push({ kind: 'invalid', id: `leave-row-${r.sourceId}`, reasons: [{ code: 'malformed_record', message: 'leave row without its date, half-day, period, account, owner or status' }] });
      }
      const inside = windowInterior(plan.window);
      return {
        mapped: [...groupAbsences(parsed, plan.window), ...bad],
        inScope: (_id, f) => f.starts_on !== undefined && f.starts_on !== null && f.ends_on !== undefined && f.ends_on !== null &&
          f.starts_on >= inside.from && f.ends_on <= inside.to,
      };
    }
  }
}
