import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { createConsoleWorld, type ConsoleWorld, type Login } from '../support/console-harness.js';

/** Screenshots of each page, committed and linked from the README. */
// Every run takes the screenshots; they replace the committed ones in docs/console (linked from the
// README) only with UPDATE_SCREENSHOTS=1, so `npm test` leaves the clone unchanged.
const SHOTS = path.resolve(process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/console' : '.data/screenshots');
const chromiumPath = parseEnv().CHROMIUM_PATH ?? '/usr/bin/chromium';

let world: ConsoleWorld;
let browser: Browser;

beforeAll(async () => {
  // Never skipped: a missing browser fails with the line that says how to install it.
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run \`node scripts/ensure-chromium.mjs\` (or sudo apt-get install chromium), or set CHROMIUM_PATH.`);
  mkdirSync(SHOTS, { recursive: true });
  world = await createConsoleWorld({ markup: false });
  // Root in a container has no user namespace for Chromium's sandbox.
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function signIn(login: Login): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${world.url}/connections`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.url}/connections`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe('console in a real Chromium', () => {
  it('an operator signs in, lists connections, pauses and resumes one, starts a sync, watches it and reads the report, then resolves a conflict', async () => {
    const login = await (await browser.newContext({ viewport: { width: 1280, height: 700 } })).newPage();
    await login.goto(`${world.url}/login`);
    await login.getByLabel('Email').fill(world.users.operator.email);
    await login.getByLabel('Password').fill('not the password');
    await login.getByRole('button', { name: 'Sign in' }).click();
    expect(await login.getByRole('alert').textContent()).toBe('wrong email or password.');
    await shot(login, 'login');

    const page = await signIn(world.users.operator);
    const rows = page.locator('tbody tr');
    expect(await page.getByRole('link', { name: world.a.name }).count()).toBe(1);
    expect(await page.getByRole('link', { name: world.b.name }).count()).toBe(1);
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    await page.getByLabel('Search by name').fill(world.a.name);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=/);
    expect(await page.getByRole('link', { name: world.b.name }).count()).toBe(0);
    await page.goto(`${world.url}/connections`);
    await shot(page, 'connections');

    await page.getByRole('link', { name: world.a.name }).click();
    await page.waitForURL(`${world.url}/connections/${world.a.name}`);
    expect(await page.locator('code').allTextContents()).toEqual(expect.arrayContaining(['cons…89']));
    expect(await page.locator('svg.chart').count()).toBe(1);
    await shot(page, 'connection');

    await page.getByLabel('Reason').fill('payroll freeze');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule paused.' }).waitFor();
    expect((await describeSchedule(world.harness.client, world.a.name))?.state.paused).toBe(true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule resumed.' }).waitFor();
    expect((await describeSchedule(world.harness.client, world.a.name))?.state.paused).toBe(false);

    // Lucca answers slowly, so the run is still going when its page opens.
    world.harness.lucca.sim.faults.set('users', { latencyMs: 1500 });
    await world.harness.withWorker(async () => {
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.getByRole('status').filter({ hasText: 'Sync started' }).waitFor();
      const running = page.locator('tbody tr').filter({ has: page.locator('.badge', { hasText: 'running' }) });
      while ((await running.count()) === 0) await page.reload();
      await running.first().getByRole('link').first().click();
      await page.waitForURL(/\/runs\//);
      const progress = page.locator('#progress');
      expect(await progress.getAttribute('data-status')).toBe('running');
      // The page's script polls the workflow's progress query.
      await progress.locator('[data-field="live"]', { hasText: /^live$/ }).waitFor({ timeout: 60_000 });
      await shot(page, 'run-progress');
      // When the run ends, the script reloads the page with the report.
      await page.locator('#progress[data-status="completed"]').waitFor({ timeout: 120_000 });
    });
    world.harness.lucca.sim.faults.set('users', { latencyMs: 0 });
    // Nothing changed in Lucca since the first run: every record read, none written.
    expect(await page.locator('[data-field="counts"]').textContent()).toMatch(/read \d+/);
    await shot(page, 'run-done');

    // The report of the first run: search by email, filter by action, export.
    await page.goto(`${world.url}/runs/${world.a.runId}`);
    await page.getByLabel('Action').selectOption('created');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/action=created/);
    const firstEmail = (await page.locator('tbody .after').filter({ hasText: '@' }).first().textContent()) ?? '';
    expect(firstEmail).toContain('@');
    await shot(page, 'run-report');
    await page.getByLabel('Lucca id, target id or email').fill(firstEmail);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/q=/);
    expect(await page.locator('caption').textContent()).toContain('1 line(s)');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    expect((await download).suggestedFilename()).toBe(`report-${world.a.runId}.csv`);

    await page.getByRole('link', { name: 'Quarantine' }).click();
    await page.waitForURL(`${world.url}/quarantine`);
    expect(await page.getByText('Correct email of this employee in Lucca').count()).toBeGreaterThan(0);
    await shot(page, 'quarantine');

    await page.getByRole('link', { name: 'Conflicts' }).click();
    await page.waitForURL(`${world.url}/conflicts`);
    await shot(page, 'conflicts');
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: world.a.name }) });
    await row.getByRole('button', { name: /^Keep Lucca's lastName/ }).click();
    await page.getByRole('status').filter({ hasText: '1 conflict(s) resolved.' }).waitFor();
    expect(await page.getByRole('link', { name: world.a.name }).count()).toBe(0);
    // Bulk: pick the target for every remaining conflict, then resolve them together.
    await page.getByRole('button', { name: 'Pick the target for all' }).click();
    await page.getByRole('button', { name: 'Resolve the picked conflicts' }).click();
    await page.getByRole('status').filter({ hasText: 'conflict(s) resolved.' }).waitFor();
    expect(await page.getByText('No open conflict.').count()).toBe(1);
  });

  it("an HR admin sees only their company's connections, and another company's pages are not found", async () => {
    const page = await signIn(world.users.hrA);
    expect(await page.getByRole('link', { name: world.a.name }).count()).toBe(1);
    expect(await page.getByRole('link', { name: world.b.name }).count()).toBe(0);
    await shot(page, 'connections-hr-admin');
    const response = await page.goto(`${world.url}/connections/${world.b.name}`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole('heading', { name: 'Not found' }).count()).toBe(1);
    expect((await page.goto(`${world.url}/runs/${world.b.runId}`))?.status()).toBe(404);
  });
});
