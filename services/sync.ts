import type { WorkflowHandle } from '@temporalio/client';
import type { Connection } from '../db/queries/connections.js';
import { recordAudit } from './audit.js';
import { getConnection, type ServiceContext } from './connections.js';
import { ServiceError } from './errors.js';
import { startManualSync, SyncAlreadyRunningError } from './run-lock.js';

export interface StartSyncOptions {
  dryRun?: boolean;
  /** Full resync: ignore incremental read cursors and re-read everything from Lucca. */
  full?: boolean;
  confirmDeactivations?: boolean;
  confirmVisibility?: boolean;
}

/**
 * A manual sync (`lucca-sync sync run`, the console's "Full resync" and the setup wizard's preview):
 * refused while another sync of the connection runs, audited with only the flags asked for. An
 * inactive connection may run a dry run (it writes nothing to the target: the setup preview), not a sync.
 */
export async function startSync(sctx: ServiceContext, nameOrRow: string | Connection, options: StartSyncOptions = {}): Promise<{ connection: Connection; handle: WorkflowHandle; runId: string }> {
  const connection = typeof nameOrRow === 'string' ? await getConnection(sctx, nameOrRow) : nameOrRow;
  if (!connection.active && !options.dryRun) {
    throw new ServiceError('refused', `connection "${connection.name}" is not active: run \`lucca-sync connection activate ${connection.name}\` first (a dry run works before).`);
  }
  const client = await sctx.client();
  let started;
  try {
    // Atomic: refused, naming the running run, while any other sync of the connection holds it.
    started = await startManualSync(sctx.db, client, sctx.env.TEMPORAL_TASK_QUEUE, connection, {
      dryRun: !!options.dryRun, confirmDeactivations: !!options.confirmDeactivations,
      ...(options.confirmVisibility && { confirmVisibility: true }), ...(options.full && { full: true }),
    });
  } catch (err) {
    if (err instanceof SyncAlreadyRunningError) throw new ServiceError('busy', err.message);
    throw err;
  }
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'sync', connection,
    // Only what was asked for: a guard the operator confirmed is exactly what the trail must show.
    detail: {
      workflowId: started.handle.workflowId,
      ...(options.dryRun && { dryRun: true }), ...(options.full && { full: true }),
      ...(options.confirmDeactivations && { confirmDeactivations: true }), ...(options.confirmVisibility && { confirmVisibility: true }),
    },
  });
  return { connection, ...started };
}
