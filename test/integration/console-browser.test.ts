import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { connections } from '../../db/schema.js';
import { FULL_ROLE, resolveKey } from '../../dev/simulators/lucca/roles.js';
import { FieldMappingsSchema } from '../../rules/field-mapping.js';
import { ResolvedScopeSchema } from '../../rules/scope.js';
import { eq } from 'drizzle-orm';
import { happyPalWrites } from '../support/sync-harness.js';
import { createConsoleWorld, type ConsoleWorld, type Login } from '../support/console-harness.js';

/** Screenshots of each page, committed and linked from the README. */
// Every run takes the screenshots; they replace the committed ones in docs/console (linked from the
// README) only with UPDATE_SCREENSHOTS=1, so `npm test` leaves the clone unchanged.
const SHOTS = path.resolve(process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/console' : '.data/screenshots');
const chromiumPath = parseEnv().CHROMIUM_PATH ?? '/usr/bin/chromium';

const LIMITED_KEY = 'limited-lucca-key-000000001';
const ROTATED_KEY = 'rotated-lucca-key-000000002';
const NO_CSE_KEY = 'no-cse-section-lucca-key-003';

let world: ConsoleWorld;
let browser: Browser;

beforeAll(async () => {
  // Never skipped: a missing browser fails with the line that says how to install it.
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run \`node scripts/ensure-chromium.mjs\` (or sudo apt-get install chromium), or set CHROMIUM_PATH.`);
  mkdirSync(SHOTS, { recursive: true });
  world = await createConsoleWorld({ markup: false, realAudit: true });
  const instance = world.harness.lucca.sim.instances.get('demo')!;
  // A key whose role lacks "Consult HR files" (birth dates), and a rotated key for the relink.
  instance.keys.set(LIMITED_KEY, resolveKey({ key: LIMITED_KEY, name: 'limited', role: { seeFormer: false, hrFileSections: false } }, instance.keys.size));
  instance.keys.set(ROTATED_KEY, resolveKey({ key: ROTATED_KEY, name: 'rotated' }, instance.keys.size));
  // A key whose "Consult HR files" covers "État civil" only: a field of the "Avantages CSE" section is hidden.
  instance.keys.set(NO_CSE_KEY, resolveKey({ key: NO_CSE_KEY, name: 'no-cse', role: { ...FULL_ROLE, hrSections: ['État civil'] } }, instance.keys.size));
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

  it('an HR admin sets up a connection through the wizard (keys tested, a dry-run preview), saves it, syncs it, watches its progress and reads the report', async () => {
    const { harness } = world;
    const page = await signIn(world.users.hrA);
    await page.getByRole('link', { name: 'Set up a connection' }).click();
    await page.waitForURL(`${world.url}/setup/lucca`);

    // Step 1: a key whose role lacks a permission: the diagnosis names it.
    await page.getByLabel('Lucca URL').fill(harness.lucca.url);
    await page.getByLabel('Lucca API key').fill(LIMITED_KEY);
    await page.getByRole('button', { name: 'Test the Lucca key' }).click();
    await page.getByText("Field birthDate is hidden: the key's role lacks 'Consult HR files'").waitFor();
    expect(await page.getByRole('link', { name: 'Next: the target' }).count()).toBe(0);
    await shot(page, 'setup-1-lucca-diagnosis');
    await page.getByLabel('Lucca API key').fill(harness.lucca.apiKey);
    await page.getByRole('button', { name: 'Test the Lucca key' }).click();
    await page.getByText('Lucca is reachable and accepted the API key.').waitFor();
    // The key is kept server-side: the field is empty, the page does not hold it.
    expect(await page.getByLabel('Lucca API key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(harness.lucca.apiKey);
    await shot(page, 'setup-1-lucca');
    await page.getByRole('link', { name: 'Next: the target' }).click();

    // Step 2: the target.
    await page.waitForURL(`${world.url}/setup/target`);
    await page.getByLabel('HappyPal').check();
    await page.getByLabel('Target API URL').fill(harness.happypal.url);
    await page.getByLabel('Target API key').fill(harness.happypal.apiKey);
    await page.getByRole('button', { name: 'Test the target key' }).click();
    await page.getByText('HappyPal is reachable').waitFor();
    await shot(page, 'setup-2-target');
    await page.getByRole('link', { name: 'Next: policies and schedule' }).click();

    // Step 3: name, company (the HR admin's own, preselected), policies, schedule.
    await page.waitForURL(`${world.url}/setup/settings`);
    const name = `wiz-${world.a.name}`.slice(0, 60);
    await page.getByLabel('Connection name').fill(name);
    expect(await page.getByLabel('Company').inputValue()).toBe(world.companies.a);
    await page.getByLabel('When Lucca and the target both changed a field').selectOption('review');
    await shot(page, 'setup-3-settings');
    await page.getByRole('button', { name: 'Save and preview' }).click();

    // Step 4: the preview, a dry run by the real workflow; the page follows it and reloads when it ends.
    await page.waitForURL(`${world.url}/setup/preview`);
    const writes = happyPalWrites(harness.happypal);
    await harness.withWorker(async () => {
      await page.getByRole('button', { name: 'Run the preview' }).click();
      await page.getByRole('heading', { name: 'What a first sync would do' }).waitFor({ timeout: 120_000 });
    });
    // Read, never written: the target received no write.
    expect(happyPalWrites(harness.happypal)).toBe(writes);
    expect(await page.locator('table.sample').count()).toBeGreaterThan(0);
    await shot(page, 'setup-4-preview');
    await page.getByRole('link', { name: 'Next: save' }).click();

    // Step 5: save: a HappyPal connection is active with its schedule.
    await page.waitForURL(`${world.url}/setup/save`);
    await shot(page, 'setup-5-save');
    await page.getByRole('button', { name: 'Save the connection' }).click();
    await page.waitForURL(`${world.url}/connections/${name}?done=setup`);
    await page.getByRole('status').filter({ hasText: 'Connection saved and active' }).waitFor();
    expect((await describeSchedule(harness.client, name))?.state.paused).toBe(false);

    // Sync it now, watch its progress, read its report.
    harness.lucca.sim.faults.set('users', { latencyMs: 1000 });
    await harness.withWorker(async () => {
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.getByRole('status').filter({ hasText: 'Sync started' }).waitFor();
      const running = page.locator('tbody tr').filter({ has: page.locator('.badge', { hasText: 'running' }) });
      while ((await running.count()) === 0) await page.reload();
      await running.first().getByRole('link').first().click();
      await page.waitForURL(/\/runs\//);
      await page.locator('#progress [data-field="live"]', { hasText: /^live$/ }).waitFor({ timeout: 60_000 });
      await page.locator('#progress[data-status="completed"]').waitFor({ timeout: 120_000 });
    });
    harness.lucca.sim.faults.set('users', { latencyMs: 0 });
    expect(await page.locator('[data-field="counts"]').textContent()).toMatch(/read \d+/);
    expect(await page.locator('caption').first().textContent()).toMatch(/\d+ line\(s\)/);
  });

  it('an operator pauses, resumes, relinks a connection with a new key (a refused key is not saved), changes its policy and starts a full resync', async () => {
    const { harness } = world;
    const page = await signIn(world.users.operator);
    await page.goto(`${world.url}/connections/${world.a.name}`);
    await page.getByLabel('Reason').fill('key rotation');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule paused.' }).waitFor();
    expect((await describeSchedule(harness.client, world.a.name))?.state.paused).toBe(true);

    const before = (await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!;
    await page.getByRole('link', { name: 'Relink (new key)' }).click();
    await page.waitForURL(`${world.url}/connections/${world.a.name}/relink`);
    await shot(page, 'relink');
    await page.getByLabel('New Lucca API key').fill('not-a-lucca-key-at-all');
    await page.getByRole('button', { name: 'Test and save' }).click();
    await page.getByRole('alert').filter({ hasText: 'the new Lucca key was not saved' }).waitFor();
    await shot(page, 'relink-refused');
    expect((await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!.luccaKeyEnc).toBe(before.luccaKeyEnc);
    await page.getByLabel('New Lucca API key').fill(ROTATED_KEY);
    await page.getByRole('button', { name: 'Test and save' }).click();
    await page.getByRole('status').filter({ hasText: 'New key tested and saved.' }).waitFor();
    const after = (await harness.db.db.select().from(connections).where(eq(connections.id, world.a.id)))[0]!;
    expect([after.id, harness.deps.cipher.decrypt(after.luccaKeyEnc)]).toEqual([world.a.id, ROTATED_KEY]);
    expect(await page.locator('.audit').textContent()).toContain(`account:${world.users.operator.email} relinked`);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule resumed.' }).waitFor();
    expect((await describeSchedule(harness.client, world.a.name))?.state.paused).toBe(false);

    await page.getByRole('link', { name: 'Change policy' }).click();
    await page.waitForURL(`${world.url}/connections/${world.a.name}/policy`);
    await page.getByLabel('When Lucca and HappyPal both changed a field').selectOption('target-wins');
    await shot(page, 'policy');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
    expect(await page.locator('.audit').textContent()).toContain('changed policy');

    await harness.withWorker(async () => {
      await page.getByRole('button', { name: 'Full resync' }).click();
      await page.waitForURL(/\/runs\//);
      await page.locator('#progress[data-status="completed"]').waitFor({ timeout: 120_000 });
    });
    await page.goto(`${world.url}/connections/${world.a.name}`);
    expect(await page.locator('.audit').textContent()).toContain('started a full resync');
    await shot(page, 'connection-actions');
  });

  it("a connection's page shows its scope and mapped fields; a relink key without the mapped field's section is refused, naming it", async () => {
    const { harness } = world;
    const lists = { legalEntities: [], establishments: [], departments: [] };
    await harness.db.db.update(connections).set({
      scope: ResolvedScopeSchema.parse({ input: { exclude: { departments: [101] } }, include: lists, exclude: { ...lists, departments: [{ id: 101, name: 'Support' }] } }),
      fieldMappings: FieldMappingsSchema.parse([{ source: 'extendedData.e_cse_college', target: 'cse_college', type: 'text', transforms: [{ kind: 'trim' }], policy: 'review' }]),
    }).where(eq(connections.id, world.b.id));
    const page = await signIn(world.users.operator);
    await page.goto(`${world.url}/connections/${world.b.name}`);
    const settings = await page.locator('dl.settings').first().textContent();
    expect(settings).toContain('include all — exclude department: Support (101)');
    expect(settings).toContain('extendedData.e_cse_college → cse_college (text; trim; policy review)');

    const before = (await harness.db.db.select().from(connections).where(eq(connections.id, world.b.id)))[0]!;
    await page.getByRole('link', { name: 'Relink (new key)' }).click();
    await page.getByLabel('New Lucca API key').fill(NO_CSE_KEY);
    await page.getByRole('button', { name: 'Test and save' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'the new Lucca key was not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Mapped field extendedData\.e_cse_college → cse_college is not visible to the key: .*"Consult HR files" → select the relevant section \(the one holding e_cse_college\)/);
    expect((await harness.db.db.select().from(connections).where(eq(connections.id, world.b.id)))[0]!.luccaKeyEnc).toBe(before.luccaKeyEnc);
  });
});
