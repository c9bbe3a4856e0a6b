import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Every event of a run: its workflow's and its dataset children's (`<id>/<dataset>`), every execution
 * of each (following continue-as-new back), as Temporal stores them. Activities run in the children,
 * or in the run workflow itself for a target's only dataset (HappyPal).
 */
export async function runEvents(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  // Every execution of a workflow id: the latest, then the one it continued, and so on.
  const executions = async (workflowId: string): Promise<HistoryEvent[]> => {
    const events: HistoryEvent[] = [];
    let runId: string | undefined;
    for (;;) {
      const history: History = await handle.client.getHandle(workflowId, runId).fetchHistory();
      events.push(...(history.events ?? []));
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      if (!runId) return events;
    }
  };
  const events = await executions(handle.workflowId);
  const children = events.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
  for (const childId of new Set(children)) events.push(...(await executions(childId)));
  return events;
}

/** The highest attempt of each activity type in a run (1: never retried), from runEvents. */
export async function activityAttempts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const events = await runEvents(handle);
  const attempts: Record<string, number> = {};
  // Event ids restart in each history: scheduled events are matched with their start within one history.
  let typeOf = new Map<string, string>();
  for (const event of events) {
    if (event.eventId != null && String(event.eventId) === '1') typeOf = new Map();
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && event.eventId != null) typeOf.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = typeOf.get(String(started.scheduledEventId)) ?? '?';
      attempts[type] = Math.max(attempts[type] ?? 0, started.attempt ?? 1);
    }
  }
  return attempts;
}
