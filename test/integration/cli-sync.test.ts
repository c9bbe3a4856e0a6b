import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnv } from '../../config/env.js';
import { insertConnection, type NewConnection } from '../../db/queries/connections.js';
import { syncRuns } from '../../db/schema.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { createWorker } from '../../workers/create-worker.js';
import { buildDeps } from '../../workers/deps.js';
import { connectToTestServer, TEST_PAYLOAD_KEYS, testDataConverter, uniqueTaskQueue, workflowBundle } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const CREDENTIALS_KEY = Buffer.alloc(32, 11).toString('base64');
const suffix = Date.now().toString(36);
const name = (what: string) => `cli-sync-${what}-${suffix}`;
const taskQueue = uniqueTaskQueue('cli-sync');

let dataDir: string;
let temporal: Awaited<ReturnType<typeof connectToTestServer>>;
let lucca: DemoLucca;
let happypal: HappyPalSimulator;
let deps: ReturnType<typeof buildDeps>;
let worker: Worker;
let running: Promise<void>;

interface Result { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Result> {
  const env = {
    DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    LUCCA_ALLOWED_HOSTS: '127.0.0.1', CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: PROJECT_ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function addConnection(what: string, luccaKey: string, target: NewConnection['target'] = 'happypal') {
  return insertConnection(deps.db.db, deps.cipher, {
    name: name(what), target, luccaUrl: lucca.url, luccaKey, targetUrl: happypal.url, targetKey: happypal.apiKey,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-sync-'));
  const today = new Date().toISOString().slice(0, 10);
  lucca = await startDemoLucca({
    rateLimitPerMinute: 0,
    company: { employees: 12, seed: 5, asOf: today, withActivity: false, invalidShare: 0 },
    keys: [
      { key: 'full-key-000001', name: 'full' },
      { key: 'nohr-key-000001', name: 'restricted', role: { seeFormer: false, hrFileSections: false } },
    ],
  });
  happypal = await startHappyPalSimulator();
  temporal = await connectToTestServer();
  const env = parseEnv({
    DATABASE_URL: testDatabaseUrl(), CREDENTIALS_KEY, LUCCA_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'silent',
    LUCCA_RATE_LIMIT_PER_MINUTE: '0', DATA_DIR: dataDir,
  });
  deps = buildDeps(env, testDatabaseUrl());
  worker = await createWorker({
    connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await deps?.close();
  await temporal?.close();
  await lucca?.sim.close();
  await happypal?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('lucca-sync connection test', () => {
  it('says whether the Lucca key is usable, naming the permissions it lacks', async () => {
    await addConnection('ok', 'full-key-000001');
    await addConnection('nohr', 'nohr-key-000001');
    await addConnection('badkey', 'wrong-key-000001');
    const [ok, nohr, bad] = await Promise.all([
      cli('connection', 'test', name('ok')), cli('connection', 'test', name('nohr')), cli('connection', 'test', name('badkey')),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Fields visible: firstName, lastName, mail, birthDate, dtContractStart, dtContractEnd.');
    expect(ok.stdout).toContain('The key is usable');
    expect(ok.stdout).toContain('HappyPal is reachable at');
    expect(nohr.code).toBe(1);
    expect(nohr.stdout).toContain("Field birthDate is hidden: the key's role lacks 'Consult HR files'");
    expect(nohr.stdout).toContain("grant 'See former employees' to the key's role");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Lucca refused the API key (401)');
    const people = lucca.sim.company('demo').users;
    for (const out of [ok.stdout, nohr.stdout, bad.stdout]) {
      for (const user of people) expect(out).not.toContain(user.mail);
      expect(out).not.toContain('full-key-000001');
    }
  });
});

describe('lucca-sync sync run', () => {
  it('--wait follows a run to its summary and report command; a failing run exits 1 with its message', async () => {
    const [ok, failing] = await Promise.all([cli('sync', 'run', name('ok'), '--wait'), cli('sync', 'run', name('badkey'), '--wait')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`Started a sync of "${name('ok')}": workflow sync-${name('ok')}-manual-`));
    expect(ok.stdout).toMatch(/^progress: /m);
    expect(ok.stdout).toMatch(/Sync of "cli-sync-ok-\w+" completed: read 12, created \d+/);
    const runId = /Report: lucca-sync report show ([0-9a-f-]{36})/.exec(ok.stdout)?.[1] as string;
    const [run] = await deps.db.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
    expect(run).toMatchObject({ status: 'completed', trigger: 'manual', dryRun: false });
    expect(happypal.state.users.size).toBeGreaterThan(0);

    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('failed: Lucca refused the API key (401)');
    expect(failing.stdout).toMatch(/Report: lucca-sync report show [0-9a-f-]{36}/);
  });

  it('refuses to start while a sync of the connection is running, and refuses inactive connections', async () => {
    const busy = await addConnection('busy', 'full-key-000001');
    const reflect = await addConnection('reflect', 'full-key-000001', 'reflect');
    // A manual run that no worker picks up stays running.
    const handle = await temporal.client.workflow.start('syncConnection', {
      taskQueue: uniqueTaskQueue('nobody'), workflowId: `sync-${busy.name}-manual-held`, args: [{ connectionId: busy.id, trigger: 'manual' }],
    });
    try {
      const [refused, inactive] = await Promise.all([cli('sync', 'run', busy.name), cli('sync', 'run', reflect.name)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toBe(
        `error: a sync of "${busy.name}" is already running (manual workflow sync-${busy.name}-manual-held): wait for it to finish (lucca-sync runs list ${busy.name}).`,
      );
      expect(inactive.code).toBe(2);
      expect(inactive.stderr).toMatch(/^error: connection "cli-sync-reflect-\w+" is not active/);
    } finally {
      await handle.terminate('test cleanup');
    }
  });
});
