import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { installQuietRuntime, testDataConverter, workflowBundle } from '../support/temporal.js';

/**
 * A recorded history of a real sync (fetch, plan, write, continue-as-new) replayed against the
 * current workflow code: a change that breaks determinism for runs in flight fails here.
 * Re-record only on purpose, after versioning the change with patched(): RECORD_HISTORY=1 npx vitest run test/integration/replay.test.ts
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/histories/sync-connection-v1.json', import.meta.url));

let h: SyncHarness;
beforeAll(async () => {
  installQuietRuntime();
  h = await createSyncHarness({ company: { employees: 25, seed: 5 } });
});
afterAll(async () => h.close());

describe('workflow replay (determinism)', () => {
  it('replays the recorded history of a sync against the current code', async () => {
    if (process.env.RECORD_HISTORY) {
      const { id } = await h.addConnection();
      const handle = await h.start(id, { options: { pagesPerActivity: 1, maxActivitiesPerRun: 100 } });
      await h.withWorker(() => handle.result());
      writeFileSync(FIXTURE, historyToJSON(await handle.fetchHistory()));
    }
    const history = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown;
    // Recorded before payloads were encrypted: the codec passes its plain payloads through.
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, history)).resolves.toBeUndefined();
  });

  it('replays every execution of a fresh sync that continued-as-new', async () => {
    const { id } = await h.addConnection();
    const handle = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 5, maxActivitiesPerRun: 3 } });
    await h.withWorker(() => handle.result());
    const histories = h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }).intoHistories();
    let replayed = 0;
    // Replay decodes the history's (encrypted) payloads with the converter that recorded them.
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, histories)) {
      expect(result.error).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBeGreaterThanOrEqual(2);
  });
});
