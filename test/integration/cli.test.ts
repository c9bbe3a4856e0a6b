import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { connections } from '../../db/schema.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { scheduleIdFor } from '../../workflows/contracts.js';
import { connectToTestServer, TEST_PAYLOAD_KEYS, uniqueTaskQueue } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const CREDENTIALS_KEY = Buffer.alloc(32, 7).toString('base64');
const LUCCA_KEY = 'lk-raw-secret-9f8e7d6c';
const TARGET_KEY = 'hp-raw-secret-1a2b3c4d';
const suffix = Date.now().toString(36);
const A = `cli-a-${suffix}`;
const R = `cli-r-${suffix}`;

let db: DbHandle;
let temporal: Awaited<ReturnType<typeof connectToTestServer>>;
let client: Client;
let dataDir: string;
const taskQueue = uniqueTaskQueue('cli');

interface Result { code: number; stdout: string; stderr: string }

/** Runs the real binary, as an operator would, against the suite's Temporal and Postgres. */
function cli(...args: string[]): Promise<Result> {
  return cliWith({}, ...args);
}

function cliWith(overrides: Record<string, string>, ...args: string[]): Promise<Result> {
  const env = {
    DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    LUCCA_ALLOWED_HOSTS: '127.0.0.1', CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...overrides,
  };
  return new Promise((resolve) => {
    // 120 s: one test starts ten of these at once, each a second or more of CPU to start; on a
    // loaded two-core machine (other test files run meanwhile) 60 s was seen to run out.
    execFile(process.execPath, [BIN, ...args], { env, cwd: PROJECT_ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const add = (name: string, ...extra: string[]) =>
  cli('connection', 'add', '--name', name, '--lucca-url', 'https://acme.ilucca.net', '--lucca-key', LUCCA_KEY,
    '--target', 'happypal', '--target-key', TARGET_KEY, ...extra);

function expectUsageError(result: Result, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

const connectionNames = async () =>
  (await db.db.select({ name: connections.name }).from(connections).where(isNull(connections.removedAt))).map((r) => r.name).sort();

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-'));
  db = createDb(testDatabaseUrl(), { max: 2 });
  temporal = await connectToTestServer();
  client = temporal.client;
});

afterAll(async () => {
  for (const name of [A, R]) await client.schedule.getHandle(scheduleIdFor(name)).delete().catch(() => undefined);
  // This file's runs only: other files run at the same time on the same Temporal server.
  const ours = [A, R].map((name) => `WorkflowId STARTS_WITH "sync-${name}"`).join(' OR ');
  for await (const wf of client.workflow.list({ query: `(${ours}) AND ExecutionStatus = "Running"` })) {
    await client.workflow.getHandle(wf.workflowId).terminate('test cleanup').catch(() => undefined);
  }
  await temporal?.close();
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('lucca-sync connection', () => {
  it('adds a HappyPal connection with its schedule, and a Reflect one inactive; keys never shown', async () => {
    const added = await add(A, '--field-policy', 'email=review', '--at', '07:15', '--tz', 'Europe/Berlin');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Connection "${A}" added`);
    expect(added.stdout).toContain('daily at 07:15 (Europe/Berlin)');
    const reflect = await cli('connection', 'add', '--name', R, '--lucca-url', 'https://acme.ilucca.net', '--lucca-key', LUCCA_KEY,
      '--target', 'reflect', '--target-key', TARGET_KEY);
    expect(reflect.code).toBe(0);
    expect(reflect.stdout).toContain('Inactive until an operator runs');
    expect(await describeSchedule(client, R)).toBeUndefined();
    const schedule = await describeSchedule(client, A);
    expect(schedule?.spec.timezone).toBe('Europe/Berlin');
    expect(schedule?.policies.overlap).toBe('SKIP');

    const [row] = await db.db.select().from(connections).where(eq(connections.name, A));
    expect(row?.luccaKeyEnc).not.toContain(LUCCA_KEY);
    expect(row?.fieldPolicies).toEqual({ email: 'review' });

    const list = await cli('connection', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${A}\\s+happypal\\s+yes\\s+never run\\s+daily at 07:15 \\(Europe/Berlin\\)\\s+running`));
    expect(list.stdout).toMatch(new RegExp(`${R}\\s+reflect\\s+no\\s+paused\\s+-\\s+none`));
    const show = await cli('connection', 'show', A);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('lk-r…6c');
    expect(show.stdout).toContain('email=review');
    expect(show.stdout).toMatch(/next runs: {4}\d{4}-\d\d-\d\d/);
    for (const output of [added, reflect, list, show]) {
      expect(output.stdout + output.stderr).not.toContain(LUCCA_KEY);
      expect(output.stdout + output.stderr).not.toContain(TARGET_KEY);
    }
  });

  it('refuses bad input with one `error:` line and exit 2, writing nothing', async () => {
    const before = await connectionNames();
    const results = await Promise.all([
      cli('connection', 'show', 'nope-not-here'),
      add('bad-url', '--lucca-url', 'not a url'),
      add('bad-http', '--lucca-url', 'http://lucca.example.com'),
      add('bad-at', '--at', '25:00'),
      add('bad-tz', '--tz', 'Mars/Olympus'),
      add('bad-policy', '--policy', 'sometimes'),
      add(A),
      cli('connection', 'lst'),
      cli('connection', 'list', '--verbose'),
      // Temporal unreachable: the row written before the schedule step is removed again.
      cliWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'connection', 'add', '--name', 'no-temporal', '--lucca-url', 'https://acme.ilucca.net',
        '--lucca-key', LUCCA_KEY, '--target', 'happypal', '--target-key', TARGET_KEY),
    ]);
    const [unknown, url, http, at, tz, policy, duplicate, command, option, noTemporal] = results as Result[];
    expect(noTemporal?.code).toBe(1);
    expect(noTemporal?.stderr).toMatch(/^error: Temporal is not reachable at 127\.0\.0\.1:1 .*\n$/);
    expectUsageError(unknown as Result, /unknown connection "nope-not-here"/);
    expectUsageError(url as Result, /bad --lucca-url: .*URL/);
    expectUsageError(http as Result, /bad --lucca-url: Lucca URLs must use https/);
    expectUsageError(at as Result, /bad time \(--at\) "25:00": expected HH:MM/);
    expectUsageError(tz as Result, /bad time zone \(--tz\) "Mars\/Olympus"/);
    expectUsageError(policy as Result, /bad --policy "sometimes": expected one of lucca-wins, target-wins, review/);
    expectUsageError(duplicate as Result, /already exists/);
    expectUsageError(command as Result, /unknown command 'lst' \(Did you mean list\?\)/);
    expectUsageError(option as Result, /unknown option '--verbose'/);
    expect(await connectionNames()).toEqual(before);
    for (const name of ['bad-url', 'bad-http', 'bad-at', 'bad-tz', 'bad-policy']) expect(await describeSchedule(client, name)).toBeUndefined();
  });

  it('pause and resume show in `connection show`; `schedule set` changes the cadence', async () => {
    expect((await cli('schedule', 'pause', A, '--reason', 'payroll freeze')).code).toBe(0);
    const show = await cli('connection', 'show', A);
    expect(show.stdout).toMatch(/schedule: +daily at 07:15 \(Europe\/Berlin\), paused/);
    expect(show.stdout).toContain('Paused: payroll freeze');
    expect((await cli('schedule', 'resume', A)).code).toBe(0);
    expect((await describeSchedule(client, A))?.state.paused).toBe(false);
    const set = await cli('schedule', 'set', A, '--every-4h');
    expect(set.code).toBe(0);
    expect((await describeSchedule(client, A))?.spec.intervals?.[0]?.every).toBe(4 * 3_600_000);
    expectUsageError(await cli('schedule', 'pause', R), /is not active/);
  });

  it('activate gives a Reflect connection its schedule; remove deletes schedule and row', async () => {
    const activated = await cli('connection', 'activate', R, '--schedule', 'every-4h');
    expect(activated.code).toBe(0);
    expect((await db.db.select().from(connections).where(eq(connections.name, R)))[0]?.active).toBe(true);
    expect((await describeSchedule(client, R))?.spec.intervals?.[0]?.every).toBe(4 * 3_600_000);
    const removed = await cli('connection', 'remove', R, '--yes');
    expect(removed.code).toBe(0);
    await expect(client.schedule.getHandle(scheduleIdFor(R)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await connectionNames()).not.toContain(R);
  });
});
