import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities/index.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { installQuietRuntime, uniqueTaskQueue, workflowBundle } from '../support/temporal.js';

/**
 * The workflow's retry timing on Temporal's time-skipping test server (the installed Java binary):
 * a Lucca 429 with a long Retry-After is waited out in server time, not wall time.
 */
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  installQuietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
});
afterAll(async () => env?.teardown());

function fakeActivities(fetchAttempts: number[]): Partial<Activities> {
  return {
    beginRun: async () => ({ runId: 'run-1', target: 'happypal', datasets: [{ name: 'employees', label: 'employees', failOnForbidden: true, plan: { full: true } }] }),
    stageDataset: async () => {
      fetchAttempts.push(Date.now());
      if (fetchAttempts.length === 1) {
        throw ApplicationFailure.create({ type: 'lucca_rate_limited', message: 'Lucca asked us to slow down (429).', nextRetryDelay: '10 minutes' });
      }
      return { cursor: { part: 1, at: 2 }, pages: 1, done: true, counts: { read: 3 }, planned: { counts: { planned_created: 3 }, message: null } };
    },
    writeDataset: async () => ({ done: true, counts: { written: 3 } }),
    finishRun: async (input) => ({ runId: input.runId, status: input.status, dryRun: false, counts: { created: 3 }, message: input.message }),
  };
}

describe('sync workflow on the time-skipping test server', () => {
  it("waits a 429's Retry-After (10 minutes of server time) and then completes", async () => {
    const attempts: number[] = [];
    const taskQueue = uniqueTaskQueue('skip');
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fakeActivities(attempts),
    });
    const startedServerMs = await env.currentTimeMs();
    const wallStart = Date.now();
    const summary = await worker.runUntil(
      env.client.workflow.execute('syncConnection', {
        taskQueue, workflowId: `skip-${taskQueue}`, args: [{ connectionId: 'c-1', trigger: 'schedule' } satisfies SyncInput],
      }) as Promise<SyncSummary>,
    );
    expect(summary).toMatchObject({ status: 'completed', counts: { created: 3 } });
    expect(attempts).toHaveLength(2);
    expect((await env.currentTimeMs()) - startedServerMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(Date.now() - wallStart).toBeLessThan(60_000);
  });
});
