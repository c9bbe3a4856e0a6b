import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { syncRuns } from '../db/schema.js';
import { describeSchedule } from './schedules.js';

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    const described = await client.workflow.getHandle(workflowId).describe();
    return described.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Says which sync of this connection is running now, if any: a `running` row in Postgres whose
 * workflow is still open (a row left by a crashed, terminated run does not count), a scheduled
 * action still running, or a manual run that has not written its row yet (visibility).
 */
export async function findRunningSync(db: Db, client: Client, connection: { id: string; name: string }): Promise<string | null> {
  const rows = await db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, connection.id), eq(syncRuns.status, 'running')));
  for (const row of rows) {
    if (await isRunning(client, row.workflowId)) return `run ${row.id} (workflow ${row.workflowId})`;
  }
  const schedule = await describeSchedule(client, connection.name);
  const scheduled = schedule?.info.runningActions[0];
  if (scheduled) return `scheduled workflow ${scheduled.workflow.workflowId}`;
  const prefix = `sync-${connection.name}-manual-`;
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}" AND ExecutionStatus = "Running"` })) {
    return `manual workflow ${wf.workflowId}`;
  }
  return null;
}
