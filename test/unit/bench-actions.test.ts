import { describe, expect, it } from 'vitest';
import { billableActions, promCounterBy, type ActionEvent } from '../../dev/bench/measure.js';

describe('billable actions from a history (Temporal Cloud\'s definition)', () => {
  const started: ActionEvent = { workflowExecutionStartedEventAttributes: {} };
  const scheduled: ActionEvent = { activityTaskScheduledEventAttributes: {} };
  const attempt = (n: number): ActionEvent => ({ activityTaskStartedEventAttributes: { attempt: n } });
  const marker = (task: number): ActionEvent => ({ markerRecordedEventAttributes: { workflowTaskCompletedEventId: task } });

  it.each([
    ['a manual start with two activities', [started, scheduled, attempt(1), scheduled, attempt(1)], false, { workflowStarted: 1, activityScheduled: 2 }],
    ['a scheduled start adds the schedule\'s two', [started, scheduled, attempt(1)], true, { workflowStarted: 1, scheduleStart: 2, activityScheduled: 1 }],
    ['a third attempt is two retries', [started, scheduled, attempt(3)], false, { workflowStarted: 1, activityScheduled: 1, activityRetried: 2 }],
    ['markers of one workflow task are one action', [started, marker(4), marker(4), marker(9)], false, { workflowStarted: 1, localActivities: 2 }],
    ['timers, signals, upserts, children', [started, { timerStartedEventAttributes: {} }, { workflowExecutionSignaledEventAttributes: {} }, { upsertWorkflowSearchAttributesEventAttributes: {} }, { startChildWorkflowExecutionInitiatedEventAttributes: {} }], false,
      { workflowStarted: 1, timerStarted: 1, signal: 1, searchAttributesUpserted: 1, childWorkflowStarted: 2 }],
  ] as const)('%s', (_name, events, bySchedule, expected) => {
    expect(billableActions(events as readonly ActionEvent[], { startedBySchedule: bySchedule })).toEqual(expected);
  });

  it('reads a Prometheus counter by label, filtered', () => {
    const text = [
      '# TYPE action counter',
      'action{action_type="grpc_StartWorkflowExecution",namespace="default",service_name="frontend"} 3',
      'action{action_type="command_ScheduleActivityTask",namespace="default",service_name="history"} 10',
      'action{action_type="command_ScheduleActivityTask",namespace="default",service_name="history2"} 2',
      'action{action_type="grpc_StartWorkflowExecution",namespace="temporal_system",service_name="frontend"} 7',
      'actions_other{namespace="default"} 99',
    ].join('\n');
    expect(promCounterBy(text, 'action', 'action_type', { namespace: 'default' })).toEqual({ grpc_StartWorkflowExecution: 3, command_ScheduleActivityTask: 12 });
  });
});
