import { Context } from '@temporalio/activity';
import type postgres from 'postgres';
import {
  blockRunPlan, insertPlanLines, linksOf, openConflictFields, quarantineRecords, releaseQuarantine, setRunNotice, snapshotsByKeys,
  stagedByKeys, stagedEmails, stagedIds, stagedProblems,
} from '../../../db/queries/plan.js';
import { reportLineCounts, reportLineTotal } from '../../../db/queries/report.js';
import { fieldEvidence, lastVisibility, mappedEvidence, saveVisibility } from '../../../db/queries/visibility.js';
import { setRunPhase } from '../../../db/queries/runs.js';
import { HappyPalUserSchema, type HappyPalUser } from './schemas.js';
import { loadRunContext, type ConnectionRow, type Deps } from '../../deps.js';
import { SOURCE_USERS, TARGET_UNREADABLE, TARGET_USERS } from './fetch.js';
import { createPlanner, planChunks } from './plan-records.js';
import type { UsersReadPlan } from '../../../rules/incremental.js';
import { hiddenFields } from '../../../rules/visibility.js';
import { hiddenMappings } from '../../../rules/mapped-visibility.js';
import { storedMappings, storedScope } from '../../../rules/connection-config.js';

export const EMPLOYEES = 'employees';

export interface PlanResult {
  counts: Record<string, number>;
  /** Set when the mass-deactivation or the visibility guard stopped the run before writing. */
  blockedReason: string | null;
}

export interface Confirmations {
  confirmDeactivations: boolean;
  /** Optional: workflow histories recorded before the visibility guard lack it. */
  confirmVisibility?: boolean;
  /**
   * The run's read plan. An incremental read (sync/incremental.ts) plans only the people it read:
   * nobody counts as "no longer returned", and the visibility guard neither compares nor records it.
   */
  read?: UsersReadPlan;
}

/** Records planned together: the plan's memory is bounded by this, not by the company's size. */
const CHUNK = 2000;

type Tx = postgres.TransactionSql;

export function planActivities(deps: Deps) {
  const { db } = deps.db;

  /**
   * Plans the run inside one transaction, chunk by chunk (createPlanner): small global indexes first
   * (links, target emails, open conflicts, fetched ids), pass 1 over the sources not linked yet for
   * email claims, then pass 2 over every id in plan order, each chunk loading only its own records,
   * profiles and snapshots and writing its report lines and quarantine rows before the next one is
   * read. At 100,000 employees no more than CHUNK records and their lines are in memory at once.
   *
   * Every query is either a range of one primary key or a lookup of listed keys (byKeys), and set
   * differences are computed here. The rows of a run staged seconds ago are not in Postgres's
   * statistics: it estimates a handful of rows for a new run id, and a plan built on that estimate
   * (a join as a nested loop, `source_id = any(…)` as a filter over the whole run) reads the run's
   * 100,000 rows once per chunk. Both query shapes used here have one sensible plan whatever the
   * estimate.
   */
  async function writePlan(tx: Tx, runId: string, connection: ConnectionRow, confirm: Confirmations): Promise<{ blockedReason: string | null }> {
    const ctx = Context.current();
    const scope = { connectionId: connection.id, dataset: EMPLOYEES };
    const incremental = !!confirm.read && !confirm.read.full;
    const mappings = storedMappings(connection.fieldMappings);
    const [links, targetEmails, unreadableTargets, openConflicts, fetched, evidence, extrasEvidence, visibilityBaseline] = await Promise.all([
      linksOf(tx, scope),
      // Unreadable profiles keep their email in the index: whoever they belong to is not given a second profile.
      stagedEmails(tx, runId, [TARGET_USERS, TARGET_UNREADABLE]),
      stagedProblems(tx, runId, TARGET_UNREADABLE),
      openConflictFields(tx, scope.connectionId),
      stagedIds(tx, runId, SOURCE_USERS),
      // Before the first record: a field hidden run-wide changes every record's decision.
      fieldEvidence(tx, { runId, stagedDataset: SOURCE_USERS, connectionId: scope.connectionId, dataset: scope.dataset }),
      mappedEvidence(tx, { runId, stagedDataset: SOURCE_USERS, connectionId: scope.connectionId, dataset: scope.dataset, mappings }),
      incremental ? Promise.resolve(null) : lastVisibility(tx, scope.connectionId),
    ]);
    const planner = createPlanner({
      connectionId: connection.id, today: deps.today(), links, targetEmails, unreadableTargets, openConflicts,
      defaultPolicy: connection.defaultPolicy, fieldPolicies: connection.fieldPolicies,
      guardPct: connection.deactivationGuardPct, confirmDeactivations: confirm.confirmDeactivations,
      hidden: hiddenFields(evidence), visibilityBaseline, confirmVisibility: !!confirm.confirmVisibility,
      scope: storedScope(connection.scope), mappings, hiddenMappings: hiddenMappings(extrasEvidence),
    });
    const sourcesOf = (ids: readonly string[]) => stagedByKeys(tx, runId, SOURCE_USERS, ids);
    ctx.heartbeat('indexed');

    // Pass 1: the sources not linked yet claim their emails (all of them, in a first sync).
    const linked = new Set(links.map((l) => l.sourceId));
    const unlinked = fetched.filter((id) => !linked.has(id));
    for (let i = 0; i < unlinked.length; i += CHUNK) {
      planner.claim(await sourcesOf(unlinked.slice(i, i + CHUNK)));
      ctx.heartbeat('claiming emails');
    }

    // Pass 2: every fetched id, and every linked one Lucca no longer returns, in plan order.
    const fetchedSet = new Set(fetched);
    // Only a full read can tell that Lucca no longer returns someone.
    const missing = incremental ? [] : links.filter((l) => !fetchedSet.has(l.sourceId));
    const chunks = planChunks(fetched, missing, CHUNK);
    let seq = 0;
    for (const ids of chunks) {
      const chunk = planner.match(await sourcesOf(ids.sourceIds), ids.missing);
      const [targets, snapshots] = await Promise.all([
        stagedByKeys(tx, runId, TARGET_USERS, chunk.targetIds)
          .then((rows): HappyPalUser[] => rows.map((row) => HappyPalUserSchema.parse(row.data))),
        snapshotsByKeys(tx, scope, chunk.sourceIds),
      ]);
      const planned = planner.plan(chunk, targets, snapshots);
      // Rows travel as one JSON parameter per chunk, expanded by Postgres: cheap at 100,000 lines.
      await insertPlanLines(tx, runId, scope.dataset, planned.lines.map((line) => ({ ...line, seq: seq++ })));
      await quarantineRecords(tx, scope, runId, planned.quarantined);
      ctx.heartbeat('planning');
    }

    const { blockedReason, visibility, notice } = planner.finish();
    // An incremental read's few records are no baseline for the next run's guard.
    if (!incremental) await saveVisibility(tx, runId, visibility);
    // Records that pass now leave the quarantine.
    await releaseQuarantine(tx, scope, runId);
    // The notice becomes the run's message when it completes (finishRun).
    if (notice) await setRunNotice(tx, runId, notice);
    if (blockedReason) await blockRunPlan(tx, runId, blockedReason);
    deps.logger.info({ runId, lines: seq, linked: links.length, chunks: chunks.length, blocked: blockedReason !== null, incremental }, 'plan written');
    return { blockedReason };
  }

  return {
    /**
     * Map → match → three-way check → lifecycle → guard, for every staged record. Writes the plan
     * (report lines) and the quarantine in one transaction, so a retried attempt either finds the
     * whole plan or none of it. Touches no target.
     */
    async planChanges(input: { runId: string } & Confirmations): Promise<PlanResult> {
      const { run, connection } = await loadRunContext(deps, input.runId);
      await setRunPhase(db, run.id, 'plan');
      if ((await reportLineTotal(db, run.id)) > 0) return summarise(deps, run.id, run.status === 'running' ? run.message : null);
      const { blockedReason } = await deps.db.sql.begin((tx) => writePlan(tx, run.id, connection, input));
      return summarise(deps, run.id, blockedReason);
    },
  };
}

async function summarise(deps: Deps, runId: string, blockedReason: string | null = null): Promise<PlanResult> {
  const counts: Record<string, number> = {};
  for (const row of await reportLineCounts(deps.db.db, runId)) {
    if (row.action !== 'unchanged') counts[`planned_${row.action}`] = (counts[`planned_${row.action}`] ?? 0) + row.n;
  }
  return { counts, blockedReason };
}
