import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { createLogger, temporalLogger } from '../../lib/logger.js';
import { changeEmail, rename, update } from '../../dev/simulators/data/mutations.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import { expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/**
 * Private by default, end to end: recognisable employee data and API keys go through real syncs
 * (a worker process and an in-process worker, on the suite's Temporal, Postgres and simulators),
 * then EVERYTHING Temporal stored (every execution's history, through the SDK and through the
 * `temporal` CLI) and every log line is searched for them. None may appear; every payload must be
 * `binary/encrypted`; a failed run's message is encrypted in history yet readable through the codec.
 */
const run = randomBytes(4).toString('hex');
const LUCCA_KEY = `LUCCA-KEY-Zorglub-${run}-0123456789`;
const WRONG_KEY = `WRONG-KEY-Zorglub-${run}-9876543210`;
const BIRTH_DATES = ['1911-11-11', '1912-12-12', '1913-03-13'];
const ENCRYPTED_B64 = Buffer.from('binary/encrypted').toString('base64');
const execFileAsync = promisify(execFile);
const today = new Date().toISOString().slice(0, 10);

let h: SyncHarness;
let worker: WorkerProcess | undefined;
let inProcessLogs = '';
const markers: { label: string; value: string }[] = [];
const workflowIds: string[] = [];
let failedWorkflowId = '';

beforeAll(async () => {
  h = await createSyncHarness({
    company: { employees: 40, seed: 2718, asOf: today },
    luccaApiKey: LUCCA_KEY,
    logger: createLogger('trace', { write: (line: string) => void (inProcessLogs += line) }),
  });
  // Three employees who will be synced, renamed to unique markers.
  const company = h.lucca.sim.company('demo');
  const expected = expectedActiveProfiles(company, today);
  const chosen = company.users.filter((u) => expected.has(u.mail.trim().normalize('NFC').toLowerCase())).slice(2, 5);
  expect(chosen).toHaveLength(3);
  chosen.forEach((user, i) => {
    const firstName = `Zorglub${run}F${i}`;
    const lastName = `Quux${run}L${i}`;
    const mail = `zorglub.${run}.${i}@example.com`;
    rename(company, user.id, { firstName, lastName });
    changeEmail(company, user.id, mail);
    update(company, user.id, { birthDate: BIRTH_DATES[i] as string });
    markers.push({ label: 'first name', value: firstName }, { label: 'last name', value: lastName }, { label: 'email', value: mail });
    markers.push({ label: 'birth date', value: BIRTH_DATES[i] as string });
  });
  // Every other employee's email too (an "@" never shows up in base64 by chance).
  for (const user of company.users) markers.push({ label: 'generated email', value: user.mail });
  markers.push({ label: 'Lucca API key', value: LUCCA_KEY }, { label: 'wrong Lucca API key', value: WRONG_KEY });
  markers.push({ label: 'HappyPal API key', value: h.happypal.apiKey });
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await h?.close();
});

/** Every execution (continue-as-new included) of the workflows the test started. */
async function executions(client: Client): Promise<{ workflowId: string; runId: string }[]> {
  const all: { workflowId: string; runId: string }[] = [];
  for (const workflowId of workflowIds) {
    const found: { workflowId: string; runId: string }[] = [];
    // The run's workflow and any dataset child (a target with several datasets runs each in one).
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}' OR WorkflowId = '${workflowId}/employees'` })) {
      found.push({ workflowId: info.workflowId, runId: info.runId });
    }
    expect(found.length, workflowId).toBeGreaterThanOrEqual(1);
    all.push(...found);
  }
  return all;
}

/** Every payload in a proto-JSON history: objects with a `metadata.encoding`, with where they were. */
function payloadsOf(node: unknown, where = '$', out: { where: string; encoding: string }[] = []) {
  if (Array.isArray(node)) node.forEach((child, i) => payloadsOf(child, `${where}[${i}]`, out));
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === 'object' && typeof metadata.encoding === 'string') out.push({ where, encoding: metadata.encoding });
    for (const [key, child] of Object.entries(record)) if (key !== 'metadata') payloadsOf(child, `${where}.${key}`, out);
  }
  return out;
}

function expectNoMarkers(what: string, text: string) {
  const found = markers.filter((m) => text.includes(m.value)).map((m) => `${m.label} ${m.value}`);
  expect(found, `${what} contains personal data or secrets`).toEqual([]);
}

describe('private by default', () => {
  it('syncs real data through encrypted Temporal payloads, and nothing personal or secret is stored or logged in clear', async () => {
    const { id } = await h.addConnection();

    // 1. A full sync on a real worker process (workers/main.ts), with continue-as-new.
    worker = await startWorkerProcess(h.taskQueue, { LOG_LEVEL: 'trace' });
    const first = await h.start(id, { options: { pagesPerActivity: 1, linesPerActivity: 5, maxActivitiesPerRun: 3 } });
    workflowIds.push(first.workflowId);
    const summary = (await first.result()) as SyncSummary; // decrypted by the client's codec
    expect(summary.status).toBe('completed');
    expect(summary.counts.created).toBeGreaterThan(10);
    await worker.kill('SIGTERM');

    // The data really went through: HappyPal holds the marked people.
    const hp = h.happypal.state.dump().users;
    for (let i = 0; i < 3; i += 1) expect(hp.some((u) => u.first_name === `Zorglub${run}F${i}` && u.email === `zorglub.${run}.${i}@example.com`)).toBe(true);

    // 2. A second sync with an update, on an in-process worker whose logger writes to a buffer.
    rename(h.lucca.sim.company('demo'), h.lucca.sim.company('demo').users.find((u) => u.firstName === `Zorglub${run}F0`)?.id ?? -1, { firstName: `Zorglub${run}G0` });
    markers.push({ label: 'new first name', value: `Zorglub${run}G0` });
    const second = await h.start(id);
    workflowIds.push(second.workflowId);
    const secondSummary = (await h.withWorker(() => second.result())) as SyncSummary;
    expect(secondSummary.counts.updated).toBe(1);

    // 3. A failed run: Lucca refuses the key (401).
    const refused = await h.addConnection({ luccaKey: WRONG_KEY });
    const third = await h.start(refused.id);
    workflowIds.push(third.workflowId);
    failedWorkflowId = third.workflowId;
    const failure = await h.withWorker(() => third.result().then(() => undefined, (err: unknown) => err));
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    // Readable through the client, whose codec decrypts and whose failure converter decodes it.
    expect(((failure as WorkflowFailedError).cause as Error).message).toMatch(/^Lucca refused the API key \(401\)/);

    // Every execution's whole history, raw, as Temporal stores it.
    const runs = await executions(h.client);
    // Three runs (HappyPal's only dataset runs in the run workflow itself); the first one continued-as-new at least twice.
    expect(runs.length).toBeGreaterThanOrEqual(5);
    let encryptedPayloads = 0;
    for (const { workflowId, runId } of runs) {
      const raw = historyToJSON(await h.client.workflow.getHandle(workflowId, runId).fetchHistory());
      expectNoMarkers(`history of ${workflowId}/${runId}`, raw);
      const payloads = payloadsOf(JSON.parse(raw));
      // Temporal's own patch marker (`{"id":"targets-as-datasets"}`, written by the SDK core, not our codec) names code, not data.
      const clear = payloads.filter((p) => p.encoding !== ENCRYPTED_B64 && !/searchAttributes|indexedFields|markerRecordedEventAttributes\.details\.patch-data/.test(p.where));
      expect(clear, `unencrypted payloads in ${workflowId}/${runId}`).toEqual([]);
      encryptedPayloads += payloads.length - clear.length;
      if (workflowId === failedWorkflowId) {
        expect(raw).not.toContain('Lucca refused');
        expect(raw).toContain('Encoded failure'); // the failure is there, with its text moved into an encrypted payload
      }

      // The same history as the operator's CLI shows it, without a codec.
      const { stdout } = await execFileAsync(inject('temporalCliPath'), [
        'workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json', '--address', inject('temporalAddress'),
      ], { maxBuffer: 64 * 1024 * 1024 });
      expect(stdout).toContain(ENCRYPTED_B64); // the CLI shows metadata as proto-JSON base64 too
      expectNoMarkers(`temporal workflow show ${workflowId}/${runId}`, stdout);
      if (workflowId === failedWorkflowId) expect(stdout).not.toContain('Lucca refused');
    }
    expect(encryptedPayloads).toBeGreaterThan(30);

    // Every log line: the worker process's stdout and stderr (pino + Temporal SDK), the in-process logger.
    const processLogs = worker.output();
    expect(processLogs).toContain('"msg":"sync run finished"');
    expect(inProcessLogs).toContain('"msg":"sync run finished"');
    expect(inProcessLogs).toContain('"msg":"plan written"');
    expectNoMarkers('worker process output', processLogs);
    expectNoMarkers('in-process logs', inProcessLogs);
  });

  it("the Temporal SDK's own logs go through pino: an error's extra properties (a PostgreSQL detail quoting a row) are never printed", () => {
    let out = '';
    const sdk = temporalLogger(createLogger('trace', { write: (line: string) => void (out += line) }));
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "people_email_key"'), {
      detail: `Key (email)=(zorglub.${run}.0@example.com) already exists.`,
      code: '23505',
    });
    sdk.warn('Activity failed', { error: pgError, activityType: 'applyChanges', workflowId: 'wf-1', apiKey: LUCCA_KEY });
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line.msg).toBe('Activity failed');
    expect(line.activityType).toBe('applyChanges');
    expect(line.error).toEqual({ type: 'Error', message: 'duplicate key value violates unique constraint "people_email_key"' });
    expect(line.apiKey).toBe('[redacted]');
    expectNoMarkers('SDK log line', out);
  });
});
