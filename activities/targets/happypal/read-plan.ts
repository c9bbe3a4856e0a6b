import { advanceUsersCursor, loadUsersCursor } from '../../../db/queries/read-cursors.js';
import { cursorMoves, decideUsersRead, DEFAULT_FULL_READ_DAYS, type UsersReadPlan } from '../../../rules/incremental.js';
import type { DatasetReadPlan } from '../../../workflows/contracts.js';
import { findRunById } from '../../../db/queries/runs.js';
import { loadConnection, type Deps } from '../../deps.js';
import { SyncError } from '../../errors.js';

async function runOf(deps: Deps, runId: string) {
  const run = await findRunById(deps.db.db, runId);
  if (!run) throw new SyncError('run_not_found', `Sync run ${runId} does not exist.`, false);
  return run;
}

/** HappyPal's one dataset: its staged report lines and its read cursor (plan.ts EMPLOYEES). */
const USERS_DATASET = 'employees';

/**
 * The read plan HappyPal's prepare step returned (a UsersReadPlan, which is a DatasetReadPlan), or
 * undefined for a plan without one (`{ full: true }`): a full read, as before incremental reads.
 */
export function usersReadPlanOf(plan: DatasetReadPlan): UsersReadPlan | undefined {
  return 'readStartedAt' in plan && typeof plan.readStartedAt === 'string' ? (plan as UsersReadPlan) : undefined;
}

/** Full or incremental read of Lucca users for this run, decided once (the workflow carries it: a retry never changes its mind). */
export async function decideRunRead(deps: Deps, runId: string, full: boolean): Promise<UsersReadPlan> {
  const run = await runOf(deps, runId);
  const connection = await loadConnection(deps, run.connectionId);
  const read = decideUsersRead({
    now: deps.now?.() ?? new Date(),
    today: deps.today(),
    cursor: await loadUsersCursor(deps.db.sql, connection.id, USERS_DATASET),
    fullReadDays: connection.fullReadDays ?? DEFAULT_FULL_READ_DAYS,
    forceFull: full,
    settingsChangedAt: connection.updatedAt,
  });
  deps.logger.info({ runId: run.id, connectionId: connection.id, fullRead: read.full, fullReason: read.fullReason }, 'HappyPal read decided');
  return read;
}

/**
 * Moves the connection's read cursor to the instant this run started reading, once its writes are
 * done (the finish step runs after the last write batch): a dry run or a run the guard blocked wrote
 * nothing, and the next run reads what they read again (rules/incremental.ts cursorMoves).
 */
export async function moveReadCursor(deps: Deps, input: { runId: string; read: UsersReadPlan; dryRun: boolean; blocked: boolean }): Promise<void> {
  if (!cursorMoves({ status: input.blocked ? 'blocked' : 'completed', dryRun: input.dryRun })) return;
  const run = await runOf(deps, input.runId);
  await advanceUsersCursor(deps.db.db, {
    connectionId: run.connectionId, dataset: USERS_DATASET, runId: run.id, read: input.read, runStartedAt: run.startedAt,
  });
}
