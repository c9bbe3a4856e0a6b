import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { connections, recordLinks, syncRuns } from '../../db/schema.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { scheduleIdFor } from '../../workflows/contracts.js';
import { createWorker } from '../../workers/create-worker.js';
import { buildDeps } from '../../workers/deps.js';
import { connectToTestServer, TEST_PAYLOAD_KEYS, testDataConverter, uniqueTaskQueue, workflowBundle } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const CREDENTIALS_KEY = Buffer.alloc(32, 13).toString('base64');
const suffix = Date.now().toString(36);
const name = (what: string) => `cli-manage-${what}-${suffix}`;
const taskQueue = uniqueTaskQueue('cli-manage');
const LUCCA_KEY = 'full-key-000001';
const NEW_LUCCA_KEY = 'full-key-000002';

let dataDir: string;
let temporal: Awaited<ReturnType<typeof connectToTestServer>>;
let lucca: DemoLucca;
let happypal: HappyPalSimulator;
let deps: ReturnType<typeof buildDeps>;
let worker: Worker;
let running: Promise<void>;

interface Result { code: number; stdout: string; stderr: string }
const env = () => ({
  DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
  LUCCA_ALLOWED_HOSTS: '127.0.0.1', CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
});

/** The real binary as an operator runs it (stdin is not a terminal here: confirmations need --yes). */
function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: env(), cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function expectUsageError(result: Result, pattern: RegExp): void {
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.code).toBe(2);
}

const add = (what: string, ...extra: string[]) =>
  cli('connection', 'add', '--name', name(what), '--lucca-url', lucca.url, '--lucca-key', LUCCA_KEY,
    '--target', 'happypal', '--target-url', happypal.url, '--target-key', happypal.apiKey, ...extra);

const rowOf = async (what: string) => (await deps.db.db.select().from(connections).where(eq(connections.name, name(what))))[0];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-manage-'));
  lucca = await startDemoLucca({
    rateLimitPerMinute: 0,
    company: { employees: 12, seed: 9, asOf: new Date().toISOString().slice(0, 10), withActivity: false, invalidShare: 0 },
    keys: [{ key: LUCCA_KEY, name: 'full' }, { key: NEW_LUCCA_KEY, name: 'full-2' }],
  });
  happypal = await startHappyPalSimulator();
  temporal = await connectToTestServer();
  deps = buildDeps(parseEnv({
    DATABASE_URL: testDatabaseUrl(), CREDENTIALS_KEY, LUCCA_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'silent',
    LUCCA_RATE_LIMIT_PER_MINUTE: '0', DATA_DIR: dataDir,
  }), testDatabaseUrl());
  worker = await createWorker({
    connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps, workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter(),
  });
  running = worker.run();
});

afterAll(async () => {
  for (const what of ['main', 'renamed', 'purge', 'reset']) {
    await temporal.client.schedule.getHandle(scheduleIdFor(name(what))).delete().catch(() => undefined);
  }
  worker?.shutdown();
  await running;
  await deps?.close();
  await temporal?.close();
  await lucca?.sim.close();
  await happypal?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('bad keys and ids', () => {
  it('refuses blank, multi-line, control-character and 100 KB keys on add and update, with one line and exit 2', async () => {
    const huge = 'k'.repeat(100 * 1024);
    const results = await Promise.all([
      add('blank', '--lucca-key', '        '),
      add('newline', '--lucca-key', 'abcdefgh\nijklmnop'),
      add('tab', '--target-key', 'abcdefgh\tijklmnop'),
      add('huge', '--lucca-key', huge),
      cli('connection', 'update', 'whatever', '--lucca-key', '   '),
      cli('connection', 'update', 'whatever', '--target-key', huge),
    ]);
    const [blank, newline, tab, hugeAdd, blankUpdate, hugeUpdate] = results as Result[];
    expectUsageError(blank as Result, /^error: bad --lucca-key: expected an API key, not a blank value\.$/);
    expectUsageError(newline as Result, /^error: bad --lucca-key: expected an API key on one line, without newline/);
    expectUsageError(tab as Result, /^error: bad --target-key: expected an API key on one line/);
    expectUsageError(hugeAdd as Result, /^error: bad --lucca-key: expected an API key of at most 4096 characters \(this one has 102400\)\.$/);
    expectUsageError(blankUpdate as Result, /^error: bad --lucca-key: expected an API key, not a blank value\.$/);
    expectUsageError(hugeUpdate as Result, /^error: bad --target-key: expected an API key of at most 4096 characters/);
    for (const r of results) expect(r.stderr).not.toContain('kkkkkkkk');
    const names = (await deps.db.db.select({ name: connections.name }).from(connections)).map((r) => r.name);
    for (const what of ['blank', 'newline', 'tab', 'huge']) expect(names).not.toContain(name(what));
  });

  it('a huge conflict id is an unknown conflict, not a database error; a closed pipe is no crash', async () => {
    const [huge, overflow] = await Promise.all([
      cli('conflicts', 'resolve', '99999999999', '--keep', 'lucca'),
      cli('conflicts', 'resolve', '99999999999999999999999', '--keep', 'lucca'),
    ]);
    expectUsageError(huge as Result, /^error: unknown conflict 99999999999: see `lucca-sync conflicts list`\.$/);
    expectUsageError(overflow as Result, /^error: unknown conflict 99999999999999999999999/);
    // `lucca-sync connection list | true`: the reader is gone before the first line is written.
    const piped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'connection', 'list'], { env: env(), cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(piped).toEqual({ code: 0, stderr: '' });
  });
});

describe('lucca-sync connection update', () => {
  it('checks before saving: unknown connection, refused key, unreachable URL, nothing to change; then rotates a key and renames', async () => {
    expect((await add('main')).code).toBe(0);
    const before = await rowOf('main');
    const [unknown, badKey, unreachable, nothing, taken] = await Promise.all([
      cli('connection', 'update', 'nope-not-here', '--policy', 'review'),
      cli('connection', 'update', name('main'), '--lucca-key', 'wrong-key-000001'),
      cli('connection', 'update', name('main'), '--lucca-url', 'http://127.0.0.1:1/t/demo'),
      cli('connection', 'update', name('main')),
      cli('connection', 'update', name('main'), '--rename', name('main')),
    ]);
    expectUsageError(unknown as Result, /unknown connection "nope-not-here"/);
    expectUsageError(badKey as Result, new RegExp(`^error: the new Lucca key was not saved: Lucca refused the API key \\(401\\).*lucca-sync connection update ${name('main')} --lucca-key <new key>\\.$`));
    expectUsageError(unreachable as Result, /^error: the new Lucca URL was not saved: Lucca is not reachable at http:\/\/127\.0\.0\.1:1\/t\/demo/);
    expectUsageError(nothing as Result, /^error: nothing to change for/);
    expectUsageError(taken as Result, /^error: nothing to change for/);
    expect(await rowOf('main')).toEqual(before);

    const rotated = await cli('connection', 'update', name('main'), '--lucca-key', NEW_LUCCA_KEY, '--policy', 'review', '--field-policy', 'email=lucca-wins', '--guard', '25');
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`Connection "${name('main')}" updated: luccaKey, policy, fieldPolicies, deactivationGuard.`);
    expect(rotated.stdout).toContain('Runs, reports, links, snapshots and conflicts are unchanged.');
    expect(rotated.stdout + rotated.stderr).not.toContain(NEW_LUCCA_KEY);
    const after = await rowOf('main');
    expect(after).toMatchObject({ id: before?.id, defaultPolicy: 'review', fieldPolicies: { email: 'lucca-wins' }, deactivationGuardPct: 25 });
    expect(deps.cipher.decrypt(after?.luccaKeyEnc ?? '')).toBe(NEW_LUCCA_KEY);

    const renamed = await cli('connection', 'update', name('main'), '--rename', name('renamed'), '--schedule', 'every-4h');
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain('Schedule: every 4 hours.');
    expect(await describeSchedule(temporal.client, name('main'))).toBeUndefined();
    expect((await describeSchedule(temporal.client, name('renamed')))?.spec.intervals?.[0]?.every).toBe(4 * 3_600_000);

    const show = await cli('connection', 'show', name('renamed'));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Audit \(newest first\):/);
    expect(show.stdout).toMatch(new RegExp(`os:\\S+\\s+update\\s+changed=name,schedule renamedFrom=${name('main')}`));
    expect(show.stdout).toMatch(/os:\S+\s+update\s+changed=luccaKey,policy,fieldPolicies,deactivationGuard/);
    expect(show.stdout).toMatch(/os:\S+\s+add\s+active=true policy=lucca-wins target=happypal/);
    expect(show.stdout).not.toContain(NEW_LUCCA_KEY);
  });
});

describe('lucca-sync sync run --full, connection reset, connection remove --purge', () => {
  it('a full resync reports like any run; reset then sync duplicates nothing; remove asks, then --purge deletes the personal values', async () => {
    expect((await add('purge')).code).toBe(0);
    const first = await cli('sync', 'run', name('purge'), '--wait');
    expect(first.code).toBe(0);
    const full = await cli('sync', 'run', name('purge'), '--full', '--wait');
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    expect(full.stdout).toContain(`Started a full resync of "${name('purge')}"`);
    expect(full.stdout).toMatch(/completed: read 12/);
    const runId = /Report: lucca-sync report show ([0-9a-f-]{36})/.exec(full.stdout)?.[1] as string;
    const report = await cli('report', 'show', runId);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(name('purge'));
    const profiles = happypal.state.users.size;

    const refusedReset = await cli('connection', 'reset', name('purge'));
    expectUsageError({ ...refusedReset, stdout: '' }, /^error: connection reset .* needs a confirmation: confirm with --yes/);
    const reset = await cli('connection', 'reset', name('purge'), '--yes');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/It keeps the \d+ link\(s\)/);
    expect(reset.stdout).toMatch(/reset: \d+ snapshot\(s\) and 0 cursor\(s\) forgotten/);
    const afterReset = await cli('sync', 'run', name('purge'), '--wait');
    expect(afterReset.code).toBe(0);
    expect(afterReset.stdout).not.toMatch(/created \d/);
    expect(happypal.state.users.size).toBe(profiles);

    const id = (await rowOf('purge'))?.id as string;
    const refused = await cli('connection', 'remove', name('purge'), '--purge');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/deletes: its schedule, its stored keys, \d+ snapshot\(s\).*report line\(s\)/);
    expect(refused.stderr.trim()).toBe(`error: connection remove ${name('purge')} needs a confirmation: confirm with --yes (there is no terminal to ask on).`);
    expect((await rowOf('purge'))?.removedAt).toBeNull();

    const removed = await cli('connection', 'remove', name('purge'), '--purge', '--yes');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/It keeps: 3 run\(s\) with their counts and messages, the audit log\./);
    expect(removed.stdout).toContain(`Connection "${name('purge')}" removed with its schedule, purged.`);
    expect(await describeSchedule(temporal.client, name('purge'))).toBeUndefined();
    const runIds = (await deps.db.db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.connectionId, id))).map((r) => r.id);
    expect(runIds).toHaveLength(3);
    const [lines] = await deps.db.sql<{ n: number }[]>`select count(*)::int as n from report_lines where run_id = any(${runIds})`;
    expect(lines?.n).toBe(0);
    expect((await deps.db.db.select({ n: sql<number>`count(*)::int` }).from(recordLinks).where(eq(recordLinks.connectionId, id)))[0]?.n).toBe(0);
    expectUsageError(await cli('connection', 'show', name('purge')), /unknown connection/);
    expect((await cli('connection', 'list')).stdout).not.toContain(name('purge'));
  });
});
