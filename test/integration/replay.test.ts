import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { createReflectHarness, type ReflectHarness } from '../support/reflect-harness.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { installQuietRuntime, testDataConverter, workflowBundle } from '../support/temporal.js';

/**
 * Recorded histories of real syncs replayed against the current workflow code: a change that breaks
 * determinism for runs in flight fails here. One fixture per shape that exists in the wild:
 * - `sync-connection-v1`: HappyPal, phases inline, recorded before Reflect (no target in beginRun);
 * - `v2-happypal-*`: HappyPal, phases inline in syncConnection (before the registry);
 * - `v2-reflect-*`: Reflect, one syncDataset child per dataset (before the registry);
 * - `v2i-happypal-*`: HappyPal inline with incremental reads (beginRun's read plan, Lucca read in parts):
 *   main before the registry, recorded there — a first (full) run, then an incremental one;
 * - `v3-<target>-*`: every target through the registry, one syncDataset child per dataset (patch `targets-as-datasets`);
 * - `v4-<target>-*`: as v3, with each dataset's read plan decided by beginRun and carried in the child's
 *   input, which then stages (read, then plan) and writes (then finish): fewer activities and signals.
 * A parent's fixture comes with its children's (`…-child-<dataset>.json`).
 * Every run records the current shape into a temporary folder and replays it. Write it into the
 * fixtures on purpose only, after versioning the change with patched():
 * RECORD_HISTORY=v4 npx vitest run test/integration/replay.test.ts
 */
const DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const RECORD = process.env.RECORD_HISTORY;

let h: SyncHarness;
let r: ReflectHarness;
beforeAll(async () => {
  installQuietRuntime();
  h = await createSyncHarness({ company: { employees: 25, seed: 5 } });
  r = await createReflectHarness({ company: { employees: 6, seed: 3 } });
});
afterAll(async () => {
  await h.close();
  await r.close();
});

/** Writes the history of a finished run and of its dataset children (ids `<parent>/<dataset>`) into `dir`. */
async function record(dir: string, prefix: string, handle: WorkflowHandle, client: SyncHarness['client']): Promise<void> {
  writeFileSync(path.join(dir, `${prefix}-parent.json`), historyToJSON(await handle.fetchHistory()));
  for await (const child of client.workflow.list({ query: `WorkflowType = 'syncDataset' AND ExecutionStatus = 'Completed'` })) {
    if (!child.workflowId.startsWith(`${handle.workflowId}/`)) continue;
    const dataset = child.workflowId.slice(handle.workflowId.length + 1);
    writeFileSync(path.join(dir, `${prefix}-child-${dataset}.json`), historyToJSON(await client.workflow.getHandle(child.workflowId, child.runId).fetchHistory()));
  }
}

/** Replays one recorded history; a parent replays under its recorded id (its children are named `<parent id>/<dataset>`). */
async function replayFile(file: string): Promise<void> {
  const history = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<Record<string, { workflowId?: string } | undefined>> };
  const child = history.events.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.startChildWorkflowExecutionInitiatedEventAttributes;
  const workflowId = child?.workflowId?.replace(/\/[^/]+$/, '');
  // sync-connection-v1 was recorded before payloads were encrypted: the codec passes plain payloads through.
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, history, workflowId))
    .resolves.toBeUndefined();
}

describe('workflow replay (determinism)', () => {
  it(`records a HappyPal and a Reflect run of the current shape${RECORD ? ` (as fixtures ${RECORD})` : ''}, and replays them`, async () => {
    const dir = RECORD ? DIR : mkdtempSync(path.join(tmpdir(), 'lucca-replay-'));
    const prefix = RECORD ?? 'current';
    try {
      const { id } = await h.addConnection();
      const happypal = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 10, maxActivitiesPerRun: 100 } });
      await h.withWorker(() => happypal.result());
      await record(dir, `${prefix}-happypal`, happypal, h.client);
      const conn = await r.addConnection();
      const reflect = await r.start(conn.id, { options: { pagesPerActivity: 1, maxActivitiesPerRun: 100 } });
      await r.withWorker(() => reflect.result());
      await record(dir, `${prefix}-reflect`, reflect, r.client);
      const recorded = readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'));
      // A parent and at least one child for each target.
      expect(recorded.filter((f) => f.includes('-child-')).length).toBeGreaterThanOrEqual(2);
      for (const file of recorded) await replayFile(path.join(dir, file));
    } finally {
      if (!RECORD) rmSync(dir, { recursive: true, force: true });
    }
  });

  const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
  it('has a fixture of every shape in the wild', () => {
    for (const shape of [
      'sync-connection-v1', 'v2-happypal-parent', 'v2-reflect-parent', 'v2-reflect-child-employees',
      'v2i-happypal-parent', 'v2i-happypal-incremental-parent',
      'v3-happypal-parent', 'v3-happypal-child-employees', 'v3-reflect-parent', 'v3-reflect-child-employees',
    ]) {
      expect(fixtures).toContain(`${shape}.json`);
    }
  });

  it.each(fixtures)('replays %s against the current code', async (file) => {
    await replayFile(`${DIR}${file}`);
  });

  it('replays every execution of a fresh sync whose dataset continued-as-new', async () => {
    const { id } = await h.addConnection();
    const handle = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 5, maxActivitiesPerRun: 3 } });
    await h.withWorker(() => handle.result());
    const histories = h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}' OR WorkflowId = '${handle.workflowId}/employees'` }).intoHistories();
    let replayed = 0;
    // Replay decodes the history's (encrypted) payloads with the converter that recorded them.
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, histories)) {
      expect(result.error).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBeGreaterThanOrEqual(3);
  });
});
