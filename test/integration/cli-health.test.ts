import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnv } from '../../config/env.js';
import { insertConnection } from '../../db/queries/connections.js';
import { syncRuns } from '../../db/schema.js';
import { evaluateFleet } from '../../services/fleet.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { buildDeps } from '../../workers/deps.js';
import { startWebhookReceiver, type HttpReceiver } from '../support/alert-receivers.js';
import { TEST_PAYLOAD_KEYS } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const CREDENTIALS_KEY = Buffer.alloc(32, 13).toString('base64');
const suffix = Date.now().toString(36);
const SECRET = 'whsec-cli-0123456789';
let dataDir: string;
let deps: ReturnType<typeof buildDeps>;
let receiver: HttpReceiver;

interface Result { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Result> {
  const env = {
    DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), LUCCA_ALLOWED_HOSTS: '127.0.0.1',
    CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: PROJECT_ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A bad input: one `error:` line on stderr, exit code 2, nothing on stdout. */
function expectUsage(result: Result, message: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`error: ${message}`)]);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-health-'));
  deps = buildDeps(parseEnv({ DATABASE_URL: testDatabaseUrl(), CREDENTIALS_KEY, LOG_LEVEL: 'silent', DATA_DIR: dataDir }), testDatabaseUrl());
  receiver = await startWebhookReceiver(SECRET);
});
afterAll(async () => {
  await receiver?.close();
  await deps?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('lucca-sync alerts', () => {
  it('adds, lists (masked), tests and removes a webhook channel; bad input is one line with exit 2', async () => {
    const name = `ops-hook-${suffix}`;
    const added = await cli('alerts', 'add', name, '--webhook', receiver.url, '--secret', SECRET);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added webhook channel "${name}" (every connection): ${receiver.url}, secret whse…89.`);
    const list = await cli('alerts', 'list');
    expect(list.stdout).toContain(name);
    for (const out of [added.stdout, list.stdout]) expect(out).not.toContain(SECRET);

    const test = await cli('alerts', 'test', name);
    expect(test.code).toBe(0);
    expect(test.stdout.trim()).toBe(`Sent a test notification on webhook channel "${name}".`);
    expect(receiver.refused).toEqual([]);
    expect(receiver.received).toEqual([expect.objectContaining({ event: 'test', connection: null, incident: null })]);

    const [unknown, http, internal, noSecret, noKind, badConnection, badMail] = await Promise.all([
      cli('alerts', 'test', 'nope'),
      cli('alerts', 'add', `x1-${suffix}`, '--webhook', 'http://hooks.example.com/x', '--secret', SECRET),
      cli('alerts', 'add', `x2-${suffix}`, '--slack', 'https://10.1.2.3/hook'),
      cli('alerts', 'add', `x3-${suffix}`, '--webhook', 'https://hooks.example.com/x'),
      cli('alerts', 'add', `x4-${suffix}`),
      cli('alerts', 'add', `x5-${suffix}`, '--slack', 'https://hooks.slack.com/services/x', '--connection', 'nope'),
      cli('alerts', 'add', `x6-${suffix}`, '--email', 'ops', '--smtp', 'smtp://mail.example.com'),
    ]);
    expectUsage(unknown, 'unknown alert channel "nope": run `lucca-sync alerts list` to see the channels.');
    expectUsage(http, 'Webhook URLs must use https (got http://hooks.example.com).');
    expectUsage(internal, '10.1.2.3 is a private address');
    expectUsage(noSecret, '--webhook needs --secret');
    expectUsage(noKind, 'give exactly one of --webhook <url>, --slack <url> or --email <address>.');
    expectUsage(badConnection, 'unknown connection "nope"');
    expectUsage(badMail, 'bad email recipient: expected an email address such as ops@example.com.');

    // A channel that cannot be reached: the test says so (exit 1), without its secret.
    const down = `down-${suffix}`;
    const closed = await startWebhookReceiver(SECRET);
    await closed.close();
    await cli('alerts', 'add', down, '--slack', closed.url);
    const failed = await cli('alerts', 'test', down);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(`error: the test notification on "${down}" failed: not reachable (ECONNREFUSED).`);

    expect((await cli('alerts', 'remove', name)).stdout.trim()).toBe(`Removed alert channel "${name}".`);
    expect((await cli('alerts', 'remove', down)).code).toBe(0);
    expectUsage(await cli('alerts', 'remove', name), `unknown alert channel "${name}"`);
  });
});

describe('lucca-sync incidents list and connection list --health', () => {
  it('shows open incidents and filters connections by health', async () => {
    const add = (what: string) => insertConnection(deps.db.db, deps.cipher, {
      name: `cli-health-${what}-${suffix}`, target: 'happypal', luccaUrl: 'http://127.0.0.1:9', luccaKey: 'some-key-000001',
      targetUrl: 'http://127.0.0.1:9', targetKey: 'some-key-000002',
    });
    const expired = await add('expired');
    const fresh = await add('fresh');
    // A run refused by Lucca, as the workflow records it.
    await deps.db.db.insert(syncRuns).values({
      connectionId: expired.id, workflowId: `cli-health-${suffix}`, trigger: 'manual', status: 'failed', failureCode: 'lucca_unauthorized',
      message: 'Lucca refused the API key (401).', finishedAt: new Date(), phase: 'done',
    });
    await evaluateFleet(deps.db.db, null, deps.cipher, { env: {}, allowedHosts: [] }, new Date());

    const list = await cli('incidents', 'list');
    expect(list.code).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.includes(expired.name));
    expect(line).toMatch(/auth error\s+open\s+\S+ \S+Z\s+-\s+0 sent\s+the last run was refused by an API key \(lucca_unauthorized\)/);
    expect(list.stdout).not.toContain(fresh.name);
    const mine = await cli('incidents', 'list', '--connection', fresh.name, '--open');
    expect(mine.stdout.trim()).toBe('No open incidents.');
    expectUsage(await cli('incidents', 'list', '--connection', 'nope'), 'unknown connection "nope"');
    expectUsage(await cli('incidents', 'list', '--days', 'week'), 'bad --days "week": expected a whole number of days from 1 to 365.');

    const failing = await cli('connection', 'list', '--health', 'auth-error,failing');
    expect(failing.code).toBe(0);
    expect(failing.stdout).toMatch(new RegExp(`${expired.name}\\s+happypal\\s+yes\\s+auth error`));
    expect(failing.stdout).not.toContain(fresh.name);
    const never = await cli('connection', 'list', '--health', 'never_run');
    expect(never.stdout).toMatch(new RegExp(`${fresh.name}\\s+happypal\\s+yes\\s+never run`));
    const show = await cli('connection', 'show', expired.name);
    expect(show.stdout).toContain('  health:       auth error (the last run was refused by an API key (lucca_unauthorized)');
    expectUsage(await cli('connection', 'list', '--health', 'sick'), 'bad --health: unknown health state "sick"');
  });
});
