import { randomBytes } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { closeAbandonedRun, findRunningRun, insertRunningRun, releaseUnstartedRun, type RunClaim, type RunRow } from '../db/queries/runs.js';
import { manualWorkflowIdFor, SYNC_WORKFLOW_TYPE, type SyncInput } from '../workflows/contracts.js';
import { describeSchedule } from '../client/schedules.js';

/**
 * One run per connection at a time, whatever starts it (schedule, CLI, console). The lock is the
 * run's own `running` row: a unique partial index allows one per connection, so two starts at the
 * same instant cannot both get it. The CLI and the console take it before starting their workflow;
 * a scheduled workflow takes it in its first activity (beginRun). Retries of beginRun and
 * continue-as-new keep the workflow id, and find their own row.
 */

/** A run's row is written before its workflow starts (CLI): a holder not found in Temporal is stale only after this. */
export const START_GRACE_MS = 60_000;

export class ConnectionBusyError extends Error {
  override name = 'ConnectionBusyError';
  constructor(public readonly connectionName: string, public readonly holder: Pick<RunRow, 'id' | 'workflowId'>) {
    super(`a sync of "${connectionName}" is already running (run ${holder.id}, workflow ${holder.workflowId})`);
  }
}

export type WorkflowState = 'open' | 'closed' | 'not_found';

export async function workflowState(client: Client, workflowId: string): Promise<WorkflowState> {
  try {
    const described = await client.workflow.getHandle(workflowId).describe();
    return described.status.name === 'RUNNING' ? 'open' : 'closed';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not_found';
    throw err;
  }
}

/**
 * Takes the connection for one run, or throws ConnectionBusyError naming the run that holds it. A
 * holder whose workflow is closed (or was never started, past START_GRACE_MS) is closed as
 * abandoned, and the claim tried again.
 */
export async function claimRun(
  db: Db,
  stateOf: (workflowId: string) => Promise<WorkflowState>,
  claim: RunClaim & { connectionName: string },
  now: () => Date = () => new Date(),
): Promise<RunRow> {
  const { connectionName, ...row } = claim;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const inserted = await insertRunningRun(db, row);
    if (inserted !== 'busy') return inserted;
    const holder = await findRunningRun(db, claim.connectionId);
    if (!holder) continue; // finished in between
    const state = await stateOf(holder.workflowId);
    const stale = state === 'closed' || (state === 'not_found' && now().getTime() - holder.startedAt.getTime() > START_GRACE_MS);
    if (!stale) throw new ConnectionBusyError(connectionName, holder);
    await closeAbandonedRun(db, holder.id, now());
  }
  const holder = await findRunningRun(db, claim.connectionId);
  throw new ConnectionBusyError(connectionName, holder ?? { id: '?', workflowId: '?' });
}

/**
 * A sync of this connection Temporal knows is running but that may not hold the lock yet: a
 * scheduled action, or a manual workflow whose first activity has not run (visibility). Lets a start
 * be refused before it is even tried; claimRun is what makes refusal certain.
 */
export async function findRunningSync(db: Db, client: Client, connection: { id: string; name: string }): Promise<string | null> {
  const row = await findRunningRun(db, connection.id);
  if (row && (await workflowState(client, row.workflowId)) === 'open') return `run ${row.id}, workflow ${row.workflowId}`;
  const schedule = await describeSchedule(client, connection.name);
  const scheduled = schedule?.info.runningActions[0];
  if (scheduled) return `scheduled workflow ${scheduled.workflow.workflowId}`;
  const prefix = `sync-${connection.name}-manual-`;
  // The run's workflow only: its dataset children (`<id>/<dataset>`) share the prefix and close just before it.
  const query = `WorkflowId STARTS_WITH "${prefix}" AND WorkflowType = "${SYNC_WORKFLOW_TYPE}" AND ExecutionStatus = "Running"`;
  for await (const wf of client.workflow.list({ query })) {
    return `manual workflow ${wf.workflowId}`;
  }
  return null;
}

/** A start refused because another sync holds the connection; the message names it. */
export class SyncAlreadyRunningError extends Error {
  override name = 'SyncAlreadyRunningError';
  constructor(connectionName: string, holder: string) {
    super(`a sync of "${connectionName}" is already running (${holder}): wait for it to finish (lucca-sync runs list ${connectionName}).`);
  }
}

/**
 * Starts a manual sync (CLI, console): the lock first, then the workflow, whose beginRun finds the
 * run row by its workflow id. Throws SyncAlreadyRunningError while another sync holds the connection.
 */
export async function startManualSync(
  db: Db,
  client: Client,
  taskQueue: string,
  connection: { id: string; name: string },
  options: Pick<SyncInput, 'confirmVisibility' | 'full'> & { dryRun: boolean; confirmDeactivations: boolean },
): Promise<{ handle: WorkflowHandle; runId: string }> {
  const running = await findRunningSync(db, client, connection);
  if (running) throw new SyncAlreadyRunningError(connection.name, running);
  // Two starts in the same millisecond get two ids: the lock, not the id, decides which one runs.
  const workflowId = `${manualWorkflowIdFor(connection.name, new Date())}-${randomBytes(3).toString('hex')}`;
  let run: RunRow;
  try {
    run = await claimRun(db, (id) => workflowState(client, id), {
      connectionId: connection.id, workflowId, trigger: 'manual', dryRun: options.dryRun, connectionName: connection.name,
    });
  } catch (err) {
    if (err instanceof ConnectionBusyError) throw new SyncAlreadyRunningError(connection.name, `run ${err.holder.id}, workflow ${err.holder.workflowId}`);
    throw err;
  }
  const input: SyncInput = { connectionId: connection.id, trigger: 'manual', ...options };
  try {
    const handle = await client.workflow.start(SYNC_WORKFLOW_TYPE, {
      taskQueue, workflowId, workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL, args: [input],
    });
    return { handle, runId: run.id };
  } catch (err) {
    await releaseUnstartedRun(db, run.id);
    throw err;
  }
}
