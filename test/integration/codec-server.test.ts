import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { payloadToJSON } from '@temporalio/common/lib/proto-utils.js';
import { localUiOrigins, startCodecServer, type RunningCodecServer } from '../../lib/codec/codec-server.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { testDataConverter } from '../support/temporal.js';

/**
 * The codec endpoint against real encrypted history: it decodes a payload Temporal stored when
 * given the token, refuses without it or with a wrong one, answers the Web UI's CORS preflight,
 * and the `temporal` CLI decodes a whole history through it (`--codec-endpoint` + `--codec-auth`,
 * and the Web UI form that carries the token in the endpoint's path).
 */
const TOKEN = 'codec-integration-token-0123456789';
const execFileAsync = promisify(execFile);

let h: SyncHarness;
let codec: RunningCodecServer;
let workflowId = '';
let failedWorkflowId = '';

beforeAll(async () => {
  h = await createSyncHarness({ company: { employees: 6, seed: 3 } });
  codec = await startCodecServer({ codec: testDataConverter().payloadCodecs[0], token: TOKEN, allowedOrigins: localUiOrigins(8233), port: 0 });
  const { id } = await h.addConnection();
  const ok = await h.start(id);
  workflowId = ok.workflowId;
  await h.withWorker(() => ok.result());
  const refused = await h.addConnection({ luccaKey: 'wrong-key-for-codec-test' });
  const failed = await h.start(refused.id);
  failedWorkflowId = failed.workflowId;
  await h.withWorker(() => failed.result().catch(() => undefined));
});
afterAll(async () => {
  await codec?.close();
  await h?.close();
});

async function startedInput() {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  expect(payload).toBeDefined();
  return payloadToJSON(payload as NonNullable<typeof payload>) as { metadata: Record<string, string>; data: string };
}

function post(path: string, body: unknown, headers: Record<string, string>) {
  return fetch(`${codec.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });
}

/** `temporal … --output json`; resolves with what its payloads contain (data base64-decoded), encodings included. */
async function temporal(...args: string[]): Promise<{ encodings: string[]; contents: string }> {
  const { stdout } = await execFileAsync(inject('temporalCliPath'), [...args, '--address', inject('temporalAddress'), '--output', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const encodings: string[] = [];
  const contents: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const { metadata, data } = node as { metadata?: Record<string, unknown>; data?: unknown };
    if (metadata && typeof metadata.encoding === 'string') {
      encodings.push(Buffer.from(metadata.encoding, 'base64').toString());
      if (typeof data === 'string') contents.push(Buffer.from(data, 'base64').toString());
    }
    // What patched() records, the SDK's marker and the `TemporalChangeVersion` search attribute (the
    // patch id, `targets-as-datasets`), names code, not data, and never goes through our codec: every
    // other payload must be ours, encrypted.
    Object.entries(node).forEach(([key, value]) => key !== 'markerRecordedEventAttributes' && key !== 'TemporalChangeVersion' && walk(value));
  };
  walk(JSON.parse(stdout));
  return { encodings, contents: contents.join('\n') };
}

describe('codec endpoint on real history', () => {
  it('decodes a stored payload with the token; refuses without it and with a wrong one', async () => {
    const stored = await startedInput();
    expect(Buffer.from(stored.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');

    const res = await post('/decode', { payloads: [stored] }, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(decoded.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    const input = JSON.parse(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString()) as { connectionId: string; trigger: string };
    expect(input.trigger).toBe('manual');
    expect(workflowId).toContain(input.connectionId);

    expect((await post('/decode', { payloads: [stored] }, {})).status).toBe(401);
    expect((await post('/decode', { payloads: [stored] }, { authorization: 'Bearer not-the-codec-token-000' })).status).toBe(401);
  });

  it('answers the Web UI CORS preflight', async () => {
    const answer = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request(`${codec.uiEndpoint}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-allow-headers']).toBe('content-type, x-namespace, authorization');
  });

  it('the temporal CLI decodes a history through it (--codec-endpoint, --codec-auth)', async () => {
    const plain = await temporal('workflow', 'show', '--workflow-id', workflowId);
    expect(new Set(plain.encodings)).toEqual(new Set(['binary/encrypted']));
    expect(plain.contents).not.toContain('connectionId');

    const decoded = await temporal('workflow', 'show', '--workflow-id', workflowId, '--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`);
    expect(decoded.encodings).not.toContain('binary/encrypted');
    expect(decoded.encodings).toContain('json/plain');
    expect(decoded.contents).toContain('"connectionId"');
    expect(decoded.contents).toContain('"status":"completed"');

    // The Web UI's form of the endpoint (token in the path) works for any client that appends /decode.
    const viaPath = await temporal('workflow', 'show', '--workflow-id', workflowId, '--codec-endpoint', codec.uiEndpoint);
    expect(viaPath.contents).toContain('"connectionId"');

    // A wrong token decodes nothing.
    const wrong = await temporal('workflow', 'show', '--workflow-id', workflowId, '--codec-endpoint', codec.url, '--codec-auth', 'Bearer nope-nope-nope-nope')
      .then((r) => r.contents, (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`);
    expect(wrong).not.toContain('"connectionId"');
  });

  it('the failure text of a failed run is only readable through the codec', async () => {
    const plain = await temporal('workflow', 'show', '--workflow-id', failedWorkflowId);
    expect(plain.contents).not.toContain('Lucca refused');
    const decoded = await temporal('workflow', 'show', '--workflow-id', failedWorkflowId, '--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`);
    expect(decoded.contents).toContain('Lucca refused the API key (401)');
  });
});
