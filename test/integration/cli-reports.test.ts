import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.js';
import { insertConnection, type Connection } from '../../db/queries/connections.js';
import { conflicts, reportLines, snapshots, syncRuns } from '../../db/schema.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { TEST_PAYLOAD_KEYS } from '../support/temporal.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const CREDENTIALS_KEY = Buffer.alloc(32, 9).toString('base64');
const NAME = `cli-rep-${Date.now().toString(36)}`;

let db: DbHandle;
let dataDir: string;
let connection: Connection;
let runId: string;

interface Result { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Result> {
  const env = {
    DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: PROJECT_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-'));
  db = createDb(testDatabaseUrl(), { max: 2 });
  connection = await insertConnection(db.db, createCredentialCipher(Buffer.from(CREDENTIALS_KEY, 'base64')), {
    name: NAME, target: 'happypal', luccaUrl: 'https://acme.ilucca.net', luccaKey: 'lucca-key-0001', targetUrl: 'https://api.happypal.fr', targetKey: 'hp-key-0001',
  });
  const [run] = await db.db.insert(syncRuns).values({
    connectionId: connection.id, workflowId: `sync-${NAME}-manual-1`, trigger: 'manual', status: 'completed', phase: 'done',
    counts: { read: 4, created: 1, updated: 1, quarantined: 1, unchanged: 1 }, finishedAt: new Date(),
  }).returning();
  runId = run?.id as string;
  const base = { runId, dataset: 'employees', outcome: 'applied' as const };
  await db.db.insert(reportLines).values([
    { ...base, seq: 0, sourceId: '101', targetId: 'hp_1', action: 'created', changes: [{ field: 'firstName', before: null, after: 'Zoé' }] },
    { ...base, seq: 1, sourceId: '102', targetId: 'hp_2', action: 'updated',
      changes: [{ field: 'lastName', before: '<b>Old</b>', after: 'New & "Improved"', note: 'manual_edit_overwritten' }] },
    { ...base, seq: 2, sourceId: '103', targetId: null, action: 'quarantined', outcome: 'reported',
      reasons: [{ code: 'invalid_email', field: 'email', message: 'professional email is not a valid address' }] },
    { ...base, seq: 3, sourceId: '104', targetId: 'hp_4', action: 'unchanged' },
  ]);
});

afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('lucca-sync runs and report', () => {
  it('lists the runs of a connection', async () => {
    const runs = await cli('runs', 'list', NAME);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`${runId}\\s+\\S+ \\S+\\s+completed\\s+manual\\s+no\\s+read 4, created 1, updated 1, quarantined 1`));
  });

  it('shows the report as text, JSON and a self-contained HTML page', async () => {
    const [text, json, bad] = await Promise.all([cli('report', 'show', runId), cli('report', 'show', runId, '--json'), cli('report', 'show', 'not-a-run')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Sync report: ${NAME} (happypal)`);
    expect(text.stdout).toContain('Counts: read 4, created 1, updated 1, quarantined 1, unchanged 1');
    expect(text.stdout).toMatch(/created\s+Lucca 101 {2}HappyPal hp_1/);
    expect(text.stdout).toContain('lastName: <b>Old</b> → New & "Improved"  (manual edit on the target overwritten)');
    expect(text.stdout).toContain('reason: professional email is not a valid address [email] (invalid_email)');
    expect(text.stdout).not.toContain('Lucca 104');
    expect(text.stdout).toContain('1 unchanged record(s) hidden');

    const parsed = JSON.parse(json.stdout) as { run: { id: string; status: string; counts: Record<string, number> }; lines: { sourceId: string }[] };
    expect(parsed.run).toMatchObject({ id: runId, status: 'completed', counts: { created: 1 } });
    expect(parsed.lines.map((l) => l.sourceId)).toEqual(['101', '102', '103']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: "not-a-run" is not a run id/);

    const file = path.join(dataDir, 'report.html');
    const html = await cli('report', 'show', runId, '--html', file);
    expect(html.code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|<link|src=|href=|url\(/i);
    expect(page).toContain('&lt;b&gt;Old&lt;/b&gt;');
    expect(page).toContain('New &amp; &quot;Improved&quot;');
    expect(page).toContain('<b>Quarantined</b> Lucca 103: professional email is not a valid address');
  });
});

describe('lucca-sync conflicts', () => {
  it('lists open conflicts and resolves them into the snapshot the planner reads', async () => {
    await db.db.insert(snapshots).values([
      { connectionId: connection.id, dataset: 'employees', sourceId: '201', fields: { firstName: 'Ana', lastName: 'Base' }, kept: { lastName: 'Older' } },
      { connectionId: connection.id, dataset: 'employees', sourceId: '202', fields: { firstName: 'Bob', lastName: 'Base2' } },
    ]);
    const [c1, c2, c3] = await db.db.insert(conflicts).values([
      { connectionId: connection.id, dataset: 'employees', sourceId: '201', targetId: 'hp_201', field: 'lastName', baseValue: 'Base', sourceValue: 'FromLucca', targetValue: 'FromHappyPal' },
      { connectionId: connection.id, dataset: 'employees', sourceId: '202', targetId: 'hp_202', field: 'lastName', baseValue: 'Base2', sourceValue: 'Lucca2', targetValue: 'HappyPal2' },
      { connectionId: connection.id, dataset: 'employees', sourceId: '203', targetId: 'hp_203', field: 'email', baseValue: 'b@x.fr', sourceValue: 'l@x.fr', targetValue: 't@x.fr' },
    ]).returning();
    const list = await cli('conflicts', 'list', NAME);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${c1?.id}\\s+${NAME}\\s+201\\s+hp_201\\s+lastName\\s+Base\\s+FromLucca\\s+FromHappyPal`));
    expect(list.stdout).toMatch(new RegExp(`${c2?.id}\\s+${NAME}\\s+202`));

    expect(list.stdout).toContain('--keep lucca|target');
    // A target named must be the conflict's connection's (this one is HappyPal's): nothing resolved.
    const otherTarget = await cli('conflicts', 'resolve', String(c1?.id), '--keep', 'reflect');
    expect(otherTarget.code).toBe(2);
    expect(otherTarget.stderr).toMatch(/^error: conflict \d+ is between Lucca and HappyPal, not Reflect: use --keep lucca or --keep target\./);

    const [lucca, happypal, target, again, badKeep] = await Promise.all([
      cli('conflicts', 'resolve', String(c1?.id), '--keep', 'lucca'),
      cli('conflicts', 'resolve', String(c2?.id), '--keep', 'happypal'),
      cli('conflicts', 'resolve', String(c3?.id), '--keep', 'target'),
      cli('conflicts', 'resolve', '999999999', '--keep', 'lucca'),
      cli('conflicts', 'resolve', String(c1?.id), '--keep', 'both'),
    ]);
    expect(lucca.code).toBe(0);
    expect(happypal.code).toBe(0);
    expect(target.code).toBe(0);
    expect(target.stdout).toContain(`Conflict ${c3?.id} resolved for HappyPal: its email is kept`);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: unknown conflict 999999999/);
    expect(badKeep.code).toBe(2);
    expect(badKeep.stderr).toMatch(/^error: bad --keep "both": expected lucca or target \(or the target's name: happypal, reflect\)\./);

    const snap = async (sourceId: string) =>
      (await db.db.select().from(snapshots).where(and(eq(snapshots.connectionId, connection.id), eq(snapshots.sourceId, sourceId))))[0];
    // Keep Lucca: base := HappyPal's value, so the next sync sees "Lucca changed" and writes Lucca's value.
    expect(await snap('201')).toMatchObject({ fields: { firstName: 'Ana', lastName: 'FromHappyPal' }, kept: {} });
    // Keep HappyPal: base := Lucca's value, and HappyPal's value is kept on purpose.
    expect(await snap('202')).toMatchObject({ fields: { firstName: 'Bob', lastName: 'Lucca2' }, kept: { lastName: 'HappyPal2' } });
    const rows = await db.db.select().from(conflicts).where(eq(conflicts.connectionId, connection.id));
    expect(rows.map((r) => [r.id, r.status, r.resolution]).sort()).toEqual([[c1?.id, 'resolved', 'lucca'], [c2?.id, 'resolved', 'target'], [c3?.id, 'resolved', 'target']].sort());
  });
});
