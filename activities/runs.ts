import { Context } from '@temporalio/activity';
import { findConnectionById } from '../db/queries/connections.js';
import { reportLineCounts } from '../db/queries/report.js';
import { closeRun, lastRetryNote } from '../db/queries/runs.js';
import { countStagedRead } from '../db/queries/staging.js';
import { advanceUsersCursor } from '../db/queries/read-cursors.js';
import { lastErrorSentence } from '../workflows/policies.js';
import { claimRun, ConnectionBusyError, workflowState } from '../services/run-lock.js';
import type { BeginRunInput, BeginRunResult, RunStatus, SyncSummary } from '../workflows/contracts.js';
import { loadConnection, type Deps } from './deps.js';
import { SyncError } from './errors.js';
import type { Connectors } from './targets/connector.js';
import { targetSteps } from './targets/dataset-activities.js';
import { cursorMoves, type UsersReadPlan } from '../rules/incremental.js';

/** The cursor dataset of HappyPal's employees in the legacy inline path (plan.ts EMPLOYEES). */
const USERS_DATASET = 'employees';

/** Statuses after which earlier runs' staged records are no longer needed (a failed or cancelled run keeps them). */
const PURGE_AFTER: ReadonlySet<RunStatus> = new Set(['completed', 'blocked']);

export function runActivities(deps: Deps, connectors: Connectors) {
  const { db } = deps.db;
  const stepsFor = targetSteps(deps, connectors);
  return {
    /**
     * Creates the run row, which is the connection's lock (services/run-lock.ts): refused, naming the
     * running run, while another run of the connection holds it. Idempotent per workflow id, so a
     * retried start never makes two runs, and a run the CLI claimed before starting finds its row.
     */
    async beginRun(input: BeginRunInput): Promise<BeginRunResult> {
      const connection = await loadConnection(deps, input.connectionId);
      // A dry run writes nothing to the target: it may preview a connection not active yet (the console's setup).
      if (!connection.active && !input.dryRun) {
        throw new SyncError('connection_inactive', `Connection ${connection.name} is not active yet: activate it with \`lucca-sync connection activate ${connection.name}\`.`, false);
      }
      const connector = connectors[connection.target];
      if (!connector) {
        throw new SyncError('target_unknown', `Connection ${connection.name} is for target "${connection.target}", which this worker does not have: run a worker that has it.`, false);
      }
      const { client } = Context.current();
      let row;
      try {
        row = await claimRun(db, (id) => workflowState(client, id), { ...input, connectionName: connection.name });
      } catch (err) {
        if (err instanceof ConnectionBusyError) throw new SyncError('connection_busy', `${err.message}: this start is refused.`, false);
        throw err;
      }
      if (row.status !== 'running') {
        throw new SyncError('run_abandoned', `Sync run ${row.id} was closed as ${row.status} before it began: start a new sync.`, false);
      }
      deps.logger.info({ runId: row.id, connectionId: input.connectionId, trigger: input.trigger, dryRun: input.dryRun }, 'sync run started');
      // What the run syncs, in this order: the workflow runs a target's only dataset itself and
      // several in syncDataset children. Asked (input.prepare), each dataset's read plan is decided
      // here, once: a retry of this activity has read nothing yet, and the dataset starts reading at
      // once, one activity fewer per dataset.
      const steps = input.prepare ? stepsFor(connection.target, `Connection ${connection.name}`) : undefined;
      const datasets = await Promise.all(connector.datasets.map(async (d) => ({
        name: d.name, label: d.label, linesPerActivity: connector.linesPerActivity, ...(connector.onForbidden === 'fail-run' && { failOnForbidden: true }),
        ...(steps && { plan: await steps.prepare({ runId: row.id, dataset: d.name, ...(input.full && { full: true }) }) }),
      })));
      return { runId: row.id, target: connection.target, datasets };
    },

    /**
     * Closes the run with its status and the counts of its report, and returns the summary. Once a
     * run completes (or is blocked by the guard), the records earlier runs of the connection read are
     * deleted in the same transaction; a failed or cancelled run keeps its own until then (docs/design.md
     * §4). What Lucca sent is personal data, and a table growing by every run's full read would fill
     * the disk of an instance running hundreds of connections: each connection keeps one read, its
     * latest, for the report and for support.
     */
    async finishRun(input: {
      runId: string; status: RunStatus; message: string | null; addLastRetry?: boolean; failureCode?: string;
      /** HappyPal: the run's read plan; a completed run moves the connection's cursor to its start, in the closing transaction. */
      read?: UsersReadPlan;
    }): Promise<SyncSummary> {
      const counts = await countRun(deps, input.runId);
      // A run that ran out of time: the error it last retried on, from its `retrying:` note.
      const note = input.addLastRetry && input.message && !input.message.includes('Last error:') ? await lastRetryNote(db, input.runId) : undefined;
      const message = note ? `${input.message} ${lastErrorSentence(note)}` : input.message;
      const run = await closeRun(db, input.runId, {
        status: input.status, counts, message,
        failureCode: input.status === 'failed' ? (input.failureCode ?? 'sync_failed') : null,
        purgeOthers: PURGE_AFTER.has(input.status),
        inTransaction: async (tx, row) => {
          if (input.read && cursorMoves({ status: input.status, dryRun: row.dryRun })) {
            await advanceUsersCursor(tx, { connectionId: row.connectionId, dataset: USERS_DATASET, runId: row.id, read: input.read, runStartedAt: row.startedAt });
          }
        },
      });
      if (!run) throw new SyncError('run_not_found', `Sync run ${input.runId} does not exist.`, false);
      deps.logger.info({ runId: run.id, status: input.status, counts }, 'sync run finished');
      if (deps.metrics) {
        const connection = await findConnectionById(db, run.connectionId);
        deps.metrics.recordRun({
          connection: connection?.name ?? run.connectionId, target: connection?.target ?? 'unknown', status: input.status, counts,
          durationSeconds: ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000,
        });
      }
      return { runId: run.id, status: input.status, dryRun: run.dryRun, counts, message: run.message };
    },
  };
}

/**
 * Counts by action (and by outcome for errors), straight from the report lines. A run with report
 * sections beyond employees (Reflect's datasets) is also counted per section: `absences.created`.
 */
export async function countRun(deps: Deps, runId: string): Promise<Record<string, number>> {
  const { db } = deps.db;
  const rows = await reportLineCounts(db, runId);
  const counts: Record<string, number> = {};
  const sectioned = rows.some((row) => row.dataset !== 'employees');
  for (const row of rows) {
    const key = row.outcome === 'failed' ? 'error' : row.action;
    counts[key] = (counts[key] ?? 0) + row.n;
    if (sectioned) counts[`${row.dataset}.${key}`] = (counts[`${row.dataset}.${key}`] ?? 0) + row.n;
  }
  // Every Lucca record read (HappyPal stages `lucca-users`; Reflect also leaves, claims and pay items).
  counts.read = await countStagedRead(db, runId);
  return counts;
}
