import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { syncRuns } from '../../db/schema.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { freePort } from '../../lib/ports.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let h: SyncHarness | undefined;
let extra: HappyPalSimulator[] = [];
let workers: WorkerProcess[] = [];
afterEach(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  for (const sim of extra) await sim.close();
  await h?.close();
  [workers, extra, h] = [[], [], undefined];
});

const today = new Date().toISOString().slice(0, 10);
const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

describe('running beyond one worker', () => {
  it('two workers (one from the production bundle) share syncs of two connections on one Lucca instance: a budget of 4 requests a window holds across both, and a worker stopped gracefully mid-run loses nothing', async () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    // Lucca's window is a minute; here the simulator's and the workers' are shortened, so the budget
    // is waited out in seconds (the same limiter code). The limiter's margin for the time a request
    // travels is 1/60 of its window (1 s of a minute, too little of 10 s on a loaded machine), so the
    // simulator's window is 1 s shorter than the workers': a margin of about a second, as in production.
    const windowMs = 10_000;
    h = await createSyncHarness({ company: { employees: 2400, seed: 3, asOf: today }, luccaRateLimit: 4, luccaRateWindowMs: windowMs - 1_000 });
    const harness = h;
    const second = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
    extra.push(second);
    for (const sim of [harness.happypal, second]) sim.faults.set('createUser', { latencyMs: 15 });
    const env = { LUCCA_RATE_LIMIT_PER_MINUTE: '4', LUCCA_RATE_LIMIT_WINDOW_MS: String(windowMs), SHUTDOWN_GRACE_SECONDS: '1' };
    const fromBundle = await startWorkerProcess(harness.taskQueue, { ...env, WORKFLOW_BUNDLE_PATH: BUNDLE });
    const other = await startWorkerProcess(harness.taskQueue, { ...env, WORKFLOW_BUNDLE_PATH: '' }); // bundles at start
    workers.push(fromBundle, other);
    expect(fromBundle.output()).toContain('"workflowBundle":"prebuilt"');
    expect(other.output()).toContain('"workflowBundle":"bundled at start"');

    const a = await harness.addConnection();
    const b = await harness.addConnection({ targetUrl: second.url, targetKey: second.apiKey });
    const handles = [await harness.start(a.id, { options: { pagesPerActivity: 1 } }), await harness.start(b.id, { options: { pagesPerActivity: 1 } })];

    // Stop one worker gracefully (SIGTERM) once writes are under way; the other takes over.
    const deadline = Date.now() + 150_000;
    for (;;) {
      const runs = await harness.db.db.select().from(syncRuns).where(eq(syncRuns.phase, 'write'));
      if (runs.some((r) => handles.some((hd) => hd.workflowId === r.workflowId))) break;
      if (Date.now() > deadline) throw new Error('no run reached the write phase');
      await new Promise((r) => setTimeout(r, 100));
    }
    await other.kill('SIGTERM');
    expect(other.output()).toContain('worker stopped');

    const summaries = (await Promise.all(handles.map((hd) => hd.result()))) as SyncSummary[];
    expect(summaries.map((s) => s.status)).toEqual(['completed', 'completed']);
    const expected = expectedActiveProfiles(harness.lucca.sim.company('demo'), today);
    for (const sim of [harness.happypal, second]) {
      const users = sim.state.dump().users;
      expect(users).toHaveLength(expected.size);
      expect(activeProfilesByEmail(users)).toEqual(expected);
    }
    const stats = harness.lucca.sim.stats.snapshot().byEndpoint.users;
    expect(stats?.byStatus['429'] ?? 0).toBe(0); // the shared limiter kept both workers under Lucca's budget
    expect(stats?.byStatus['200']).toBeGreaterThan(4); // and the budget really had to be waited for
  });

  it('serves Prometheus metrics (product counters with the right values, Temporal runtime metrics) and a health check', async () => {
    h = await createSyncHarness({ company: { employees: 120, seed: 8, asOf: today } });
    const port = await freePort();
    const worker = await startWorkerProcess(h.taskQueue, { METRICS_PORT: String(port) });
    workers.push(worker);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const { id } = await h.addConnection();
    const summary = (await (await h.start(id)).result()) as SyncSummary;
    expect(summary.status).toBe('completed');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^lucca_sync_records_total\{[^}]*action="created"[^}]*\} (\d+)$/m)).toBe(summary.counts.created);
    expect(value(/^lucca_sync_records_total\{[^}]*action="quarantined"[^}]*\} (\d+)$/m)).toBe(summary.counts.quarantined);
    expect(value(/^lucca_sync_runs_total\{[^}]*status="completed"[^}]*\} (\d+)$/m)).toBe(1);
    expect(value(/^lucca_sync_run_duration_seconds_count\{[^}]*status="completed"[^}]*\} (\d+)$/m)).toBe(1);
    expect(value(/^lucca_api_requests_total\{status="200"\} (\d+)$/m)).toBe(1);
    expect(value(/^lucca_api_rate_limited_total (\d+)$/m)).toBe(0);
    expect(value(/^lucca_sync_quarantined_records (\d+)$/m)).toBeGreaterThanOrEqual(summary.counts.quarantined ?? 0);
    expect(text).toMatch(/^lucca_sync_conflicts_open \d+$/m);
    expect(text).toMatch(/^lucca_sync_connections_health\{state="failing"\} \d+$/m); // the fleet evaluation's last count per state
    expect(text).toMatch(/^temporal_\w+/m); // the SDK runtime's own metrics, served on the same port
  });
});
