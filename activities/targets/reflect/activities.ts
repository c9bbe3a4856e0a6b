import { Context } from '@temporalio/activity';
import { DEFAULT_REFLECT_FULL_READ_DAYS } from '../../../config/env.js';
import { findDatasetCursor, saveDatasetCursor, snapshotFieldsOf, writeDatasetPlan } from '../../../db/queries/datasets.js';
import { insertReportLines, reportLineCounts, reportLineError, reportLineTotal, type NewReportLine } from '../../../db/queries/report.js';
import { stagedRowsOf, type StagedRow } from '../../../db/queries/staging.js';
import { lastVisibility, saveVisibility } from '../../../db/queries/visibility.js';
import type { ReflectDataset } from './schemas.js';
import { loadRunContext, type Deps } from '../../deps.js';
import { runFetchLoop } from '../../http/fetch-loop.js';
import { SyncError } from '../../errors.js';
import { mapDataset, stagedNamesOf } from './datasets.js';
import { diffDataset } from './diff.js';
import { SECTION_SEQ, sectionSeq, type Fields } from './model.js';
import { decideReadPlan, type ReadPlan } from './read-plan.js';
import { furthest, readPlanPage, STAGED, type ReadCursor } from './readers.js';
import { REFLECT_USER_FIELDS, SCOPE_USER_FIELDS } from '../../lucca/schemas.js';
import { storedMappings, storedScope, usersFields } from '../../../rules/connection-config.js';
import { scopeIsEmpty } from '../../../rules/scope.js';
import { endedRecord, scopeNote } from './scope.js';
import {
  addEvidence, createTally, emptyEvidence, guardVisibility, hiddenFields, notVisibleNote, omittedFields, type HideableField,
} from '../../../rules/visibility.js';
import { REFLECT_EMPLOYEE_FIELD } from './to-reflect-employee.js';
import { extraKey, mapExtras, type FieldMapping } from '../../../rules/field-mapping.js';
import {
  addMappedEvidence, emptyMappedEvidence, hiddenMappings, mappedNotVisibleNote, withHiddenMappings,
} from '../../../rules/mapped-visibility.js';
import { sectionCounts } from './section.js';

/** The sentinel report line of an employees section the visibility guard stopped (its `error` is the guard's message). */
const VISIBILITY_BLOCKED = 'visibility_blocked';

/** What Lucca refused (403) for each dataset, and the permission of the key's role that shows it, in Lucca's words. */
const REFUSED: Record<ReflectDataset, { what: string; refused: string; lacks: string | null }> = {
  employees: { what: 'Employees were', refused: 'the users list', lacks: null },
  compensation: { what: 'Compensation was', refused: 'the remuneration items', lacks: 'the Pagga Compensation permission "Consult individual situations"' },
  absences: { what: 'Absences were', refused: 'the leaves', lacks: 'the Timmi Absences permission "Consult leaves"' },
  expenses: { what: 'Expense reports were', refused: 'the expense claims', lacks: 'the Cleemy Expenses permission to consult expense reports' },
};

/** The message of a dataset Lucca refused: what was not synced, and which permission to grant. */
function permissionMessage(dataset: ReflectDataset): string {
  const { what, refused, lacks } = REFUSED[dataset];
  const grant = lacks === null
    ? 'Grant the API key\'s role the Co-workers permission "Consult users" (Lucca › Organization › Roles)'
    : `The API key's role lacks ${lacks}: grant it to the key's role (Lucca › Organization › Roles)`;
  return `${what} not synced: Lucca refused ${refused} (403). ${grant}, then run the sync again.`;
}

/** Compensation also reads the work contracts (their establishment gives each pay item its currency). */
export const WORK_CONTRACTS_PERMISSION_MESSAGE = 'Compensation was not synced: Lucca refused the work contracts (403), which say each pay item\'s establishment and so its currency. Grant the API key\'s role the Core HR permission to consult employees\' work contracts (Lucca › Organization › Roles), then run the sync again.';

export interface DatasetStep {
  runId: string;
  dataset: ReflectDataset;
}

/**
 * The Reflect dataset activities (workflows/sync-dataset.workflow.ts runs them in order): decide
 * the read, read pages into staging (the shared fetch loop), plan against snapshots, and close the
 * dataset (cursor forward). The write step is in apply.ts. All keyed by (run, dataset); all retry-safe.
 */
export function reflectActivities(deps: Deps) {
  const { db } = deps.db;

  /**
   * "Unknown is not empty" for the employees section (rules/visibility.ts, and rules/mapped-visibility.ts
   * for the mapped attributes): the fields and attributes (`attr.<name>`) hidden run-wide, the note on
   * values the key could not see, and, on a full read (an incremental
   * one says nothing of who is no longer returned), the visibility guard against the last successful
   * run, whose counts this read then replaces.
   */
  async function employeesVisibility(
    runId: string, connectionId: string, users: readonly StagedRow[], snaps: ReadonlyArray<{ sourceId: string; fields: unknown }>,
    input: { plan: ReadPlan; confirmVisibility?: boolean }, mappings: readonly FieldMapping[],
  ): Promise<{ hidden: string[]; blockedReason: string | null; note: string | null }> {
    const byOurName = new Map(snaps.map((s) => {
      const fields = s.fields as Fields;
      return [s.sourceId, Object.fromEntries(Object.entries(REFLECT_EMPLOYEE_FIELD).map(([ours, theirs]) => [ours, fields[theirs as string] ?? null]))];
    }));
    const snapshotOf = new Map(snaps.map((s) => [s.sourceId, s.fields as Fields]));
    const evidence = emptyEvidence();
    const extrasEvidence = emptyMappedEvidence(mappings);
    for (const row of users) {
      addEvidence(evidence, row.data, byOurName.get(row.sourceId));
      addMappedEvidence(extrasEvidence, row.data, snapshotOf.get(row.sourceId), mappings);
    }
    const hidden = hiddenFields(evidence);
    const hiddenExtras = hiddenMappings(extrasEvidence);
    const notVisible: Partial<Record<HideableField, number>> = {};
    const extrasNotVisible = new Map<string, number>();
    for (const row of users) {
      for (const field of new Set([...omittedFields(row.data), ...hidden])) notVisible[field] = (notVisible[field] ?? 0) + 1;
      if (mappings.length === 0) continue;
      for (const t of withHiddenMappings(mapExtras(row.data, mappings), hiddenExtras).unknown) extrasNotVisible.set(t, (extrasNotVisible.get(t) ?? 0) + 1);
    }
    let guard: { allowed: boolean; message: string | null } = { allowed: true, message: null };
    if (input.plan.full) {
      const baseline = await lastVisibility(deps.db.sql, connectionId);
      const tally = createTally(deps.today(), baseline?.day ?? null);
      for (const row of users) tally.add(row.data);
      guard = guardVisibility({ baseline, now: tally.counts(), nowAtBaseline: tally.atBaseline(), override: !!input.confirmVisibility });
      await saveVisibility(deps.db.sql, runId, tally.counts());
    }
    const note = [guard.allowed ? guard.message : null, notVisibleNote(notVisible, hidden), mappedNotVisibleNote(mappings, extrasNotVisible, hiddenExtras, 'Reflect')]
      .filter((m) => m !== null).join(' ');
    return { hidden: [...hidden, ...hiddenExtras.map(extraKey)], blockedReason: guard.allowed ? null : guard.message, note: note === '' ? null : note };
  }

  return {
    /** Full or incremental, from the dataset's cursor; decided once per dataset sync. */
    async prepareDataset(input: DatasetStep & { full?: boolean }): Promise<ReadPlan> {
      const { connection } = await loadRunContext(deps, input.runId);
      const cursor = await findDatasetCursor(db, { connectionId: connection.id, dataset: input.dataset });
      return decideReadPlan({
        dataset: input.dataset,
        now: deps.now?.() ?? new Date(),
        today: deps.today(),
        cursor,
        full: !!input.full,
        fullReadDays: connection.fullReadDays ?? deps.reflectFullReadDays ?? DEFAULT_REFLECT_FULL_READ_DAYS,
        scoped: !scopeIsEmpty(storedScope(connection.scope)),
      });
    },

    /** Reads up to `maxPages` pages of the plan into staged rows; a 403 names the Lucca permission to grant. */
    async fetchDatasetPages(input: DatasetStep & { plan: ReadPlan; cursor: ReadCursor; maxPages: number }) {
      const { lucca, connection } = await loadRunContext(deps, input.runId);
      // A scoped read asks for the org ids the scope reads (rules/scope.ts), whatever the scope now uses.
      const userFields = usersFields([...REFLECT_USER_FIELDS, ...(input.plan.scoped ? SCOPE_USER_FIELDS : [])], null, storedMappings(connection.fieldMappings));
      let reading = input.cursor.part;
      try {
        const r = await runFetchLoop(deps.db, {
          runId: input.runId,
          start: input.cursor,
          maxPages: input.maxPages,
          resume: furthest,
          readPage: (cursor, signal) => {
            reading = cursor.part;
            return readPlanPage(lucca, input.plan.parts, cursor, signal, userFields);
          },
        });
        return { cursor: r.cursor, pages: r.pages, done: r.done, counts: { read: r.read } };
      } catch (err) {
        if (err instanceof SyncError && err.code === 'lucca_forbidden') {
          const workContracts = input.plan.parts[reading]?.kind === 'work-contracts';
          throw new SyncError(err.code, workContracts ? WORK_CONTRACTS_PERMISSION_MESSAGE : permissionMessage(input.dataset), false);
        }
        throw err;
      }
    },

    /**
     * Map → compare with snapshots → report lines of this dataset's section, and its quarantine,
     * in one transaction: a retried attempt finds the whole plan or none of it. Touches no target.
     */
    async planDataset(input: DatasetStep & { plan: ReadPlan; confirmDeletions: boolean; confirmVisibility?: boolean }): Promise<{ counts: Record<string, number>; message: string | null; blocked?: boolean }> {
      const ctx = Context.current();
      const { run, connection } = await loadRunContext(deps, input.runId);
      if ((await reportLineTotal(db, run.id, input.dataset)) > 0) {
        const again = await plannedCounts(deps, input);
        const blocked = await reportLineError(db, run.id, input.dataset, VISIBILITY_BLOCKED);
        if (blocked) return { counts: again.counts, message: blocked.error, blocked: true };
        const held = again.counts.planned_deletion_held ?? 0;
        const endsHeld = again.counts.planned_deactivation_held ?? 0;
        const message = [
          held > 0 ? `${held} deletions were held back by the deletion guard (see the report).` : null,
          endsHeld > 0 ? `${endsHeld} employees who left the scope were not ended: held back by the deactivation guard (see the report).` : null,
        ].filter((m) => m !== null).join(' ');
        return { counts: again.counts, message: message === '' ? null : message };
      }

      const names = stagedNamesOf(input.plan);
      const rows = await stagedRowsOf(db, run.id, names);
      const staged = new Map<string, StagedRow[]>();
      for (const r of rows) {
        const list = staged.get(r.dataset) ?? [];
        list.push(r);
        staged.set(r.dataset, list);
      }
      const scope = { connectionId: connection.id, dataset: input.dataset };
      const snaps = await snapshotFieldsOf(db, scope);
      ctx.heartbeat('loaded');
      const mappings = storedMappings(connection.fieldMappings);
      const seen = input.dataset === 'employees'
        ? await employeesVisibility(run.id, connection.id, staged.get(STAGED.users) ?? [], snaps, input, mappings)
        : { hidden: [], blockedReason: null, note: null };
      // The scope applies to a read made with it (the plan says so): the org ids are in its rows.
      const connectionScope = input.plan.scoped ? storedScope(connection.scope) : null;
      const { mapped, inScope, leavers, scope: leftOut } = mapDataset(input.dataset, staged, input.plan, deps.today(), seen.hidden, mappings, connectionScope);
      const today = deps.today();
      const diff = diffDataset({
        mapped,
        snapshots: new Map(snaps.map((s) => [s.sourceId, s.fields as Fields])),
        inScope,
        guardPct: connection.deactivationGuardPct,
        confirmDeletions: input.confirmDeletions,
        scopeLeavers: { ids: leavers, end: (snapshot) => endedRecord(snapshot, today, mappings) },
      });
      ctx.heartbeat('planned');

      const base = sectionSeq(input.dataset);
      const values: NewReportLine[] = diff.lines.map((l, i) => ({
        runId: run.id, seq: base + i, dataset: input.dataset, sourceId: l.sourceId,
        // Reflect keys records by our external id: a record already there is known by the same id.
        targetId: l.action === 'created' || l.action === 'quarantined' ? null : l.sourceId,
        action: l.action, changes: l.changes, reasons: l.reasons, plan: l.plan,
        // The visibility guard holds: the section is planned and reported, nothing is written.
        outcome: seen.blockedReason && l.outcome === 'planned' ? 'skipped' : l.outcome,
      }));
      if (seen.blockedReason) {
        values.push({
          runId: run.id, seq: base + SECTION_SEQ - 2, dataset: input.dataset, sourceId: '-', targetId: null, action: VISIBILITY_BLOCKED,
          changes: [], reasons: [], plan: null, outcome: 'reported', error: seen.blockedReason,
        });
      }
      // Records that map cleanly now leave the quarantine (only those read: an incremental read says nothing of the rest).
      await writeDatasetPlan(db, scope, run.id, {
        lines: values,
        quarantined: diff.lines.filter((l) => l.action === 'quarantined').map((l) => ({ sourceId: l.sourceId, reasons: l.reasons })),
        okIds: diff.okIds,
      });
      deps.logger.info({ runId: run.id, dataset: input.dataset, lines: diff.lines.length, unchanged: diff.unchanged, full: input.plan.full }, 'reflect dataset planned');
      const planned = await plannedCounts(deps, input);
      if (seen.blockedReason) {
        return { counts: { ...planned.counts, unchanged: diff.unchanged }, message: seen.blockedReason, blocked: true };
      }
      const message = [diff.heldReason, seen.note, scopeNote(input.dataset, leftOut)].filter((m) => m !== null).join(' ');
      return { counts: { ...planned.counts, unchanged: diff.unchanged }, message: message === '' ? null : message };
    },

    /**
     * The dataset synced: its cursor moves to this read's start (a dry run moves nothing). While
     * Reflect refused a record of the section, `since` stays where it was, so the next run reads
     * that record again (as HappyPal's sync retries every run) instead of waiting for a Lucca edit.
     */
    async finishDataset(input: DatasetStep & { plan: ReadPlan; dryRun: boolean }): Promise<{ counts: Record<string, number> }> {
      const { run } = await loadRunContext(deps, input.runId);
      const counts = await sectionCounts(deps, input.runId, input.dataset);
      if (!input.dryRun) {
        const at = new Date(input.plan.readStartedAt);
        // A section the visibility guard stopped moves nothing: the next run reads (and judges) it again.
        const blocked = (counts[VISIBILITY_BLOCKED] ?? 0) > 0;
        // Employees who left the scope and were held by the deactivation guard: the cursor stays, so the
        // next run reads them again (in full when this read was full) and a confirmed run can end them.
        const held = (counts.deactivation_held ?? 0) > 0;
        const set = {
          lastRunId: run.id, updatedAt: new Date(),
          ...(!counts.error && !blocked && !held && { lastSince: at }),
          ...(input.plan.full && !blocked && !held && { lastFullReadAt: at }),
        };
        await saveDatasetCursor(db, { connectionId: run.connectionId, dataset: input.dataset }, set);
      }
      return { counts };
    },

    /** A dataset Lucca would not let the key read: one report line in its section that says which permission to grant. */
    async reportDatasetBlocked(input: DatasetStep & { message: string }): Promise<void> {
      await insertReportLines(db, [{
        runId: input.runId, seq: sectionSeq(input.dataset) + SECTION_SEQ - 1, dataset: input.dataset, sourceId: '-', action: 'not_permitted',
        outcome: 'reported', error: input.message, reasons: [{ code: 'missing_permission', message: input.message }],
      }], { once: true });
    },
  };
}

async function plannedCounts(deps: Deps, input: DatasetStep): Promise<{ counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  for (const r of await reportLineCounts(deps.db.db, input.runId, input.dataset)) counts[`planned_${r.action}`] = (counts[`planned_${r.action}`] ?? 0) + r.n;
  return { counts };
}
