/**
 * `npx tsx dev/bench/console.ts` (DATABASE_URL optional): the console at scale. 500 connections with
 * their Temporal schedules, runs, conflicts and quarantined records, and one run whose report has
 * 100,000 lines; then the time to the first render of the connections page and of report pages,
 * measured by the server (time to the whole HTML) and in Chromium (first contentful paint).
 * Not part of `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { ensureSchedule } from '../../client/schedules.js';
import { parseEnv } from '../../config/env.js';
import { addUser } from '../../console/auth/users.js';
import { startConsole } from '../../console/server.js';
import { createDb } from '../../db/client.js';
import { insertConnection } from '../../db/queries/connections.js';
import { seedFleetHistory, seedLargeReport } from '../../db/queries/synthetic.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger } from '../../lib/logger.js';
import { onCleanup, runBench, startInfra } from './infra.js';

const CONNECTIONS = 500;
const REPORT_LINES = 100_000;
const log = (m: string) => process.stderr.write(`[bench:console] ${m}\n`);

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

runBench('console bench', async () => {
  const infra = await startInfra(log, { prebuiltBundle: false });
  const handle = createDb(infra.databaseUrl, { max: 10 });
  onCleanup('console bench pool', () => handle.close());
  const { db } = handle;
  const cipher = createCredentialCipher(randomBytes(32));

  log(`${CONNECTIONS} connections, their schedules, 3 runs each…`);
  const ids: Array<{ id: string; name: string }> = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const row = await insertConnection(db, cipher, {
      name: `company-${String(i).padStart(3, '0')}-${i % 5 === 0 ? 'reflect' : 'happypal'}`, target: i % 5 === 0 ? 'reflect' : 'happypal',
      luccaUrl: `https://c${i}.ilucca.net`, luccaKey: randomBytes(16).toString('hex'), targetUrl: 'https://api.happypal.fr',
      targetKey: randomBytes(16).toString('hex'), company: `company-${Math.floor(i / 10)}`,
    });
    ids.push({ id: row.id, name: row.name });
  }
  await pool(ids, 16, (c) => ensureSchedule(infra.client, {
    connection: { id: c.id, name: c.name, target: c.name.endsWith('reflect') ? 'reflect' : 'happypal' },
    cadence: { kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' }, taskQueue: 'bench-console',
  }).then(() => undefined));
  await seedFleetHistory(db, { runs: 3, conflicts: 2 });

  log(`one run with ${REPORT_LINES} report lines…`);
  const big = ids[1] as { id: string };
  const runId = await seedLargeReport(db, big.id, REPORT_LINES);

  const login = { email: 'bench-operator@bench.local', password: randomBytes(12).toString('base64url') };
  await addUser(db, { ...login, role: 'operator' });
  const server = await startConsole({ env: parseEnv({}), db, cipher, client: infra.client, port: 0, host: '127.0.0.1', logger: createLogger('warn') });
  onCleanup('console', () => server.close());
  const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const get = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie } }).then(async (r) => {
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text.slice(0, 200)}`);
    return text;
  });

  const rows: Array<[string, string]> = [];
  rows.push(['GET /connections, 500 rows, first request after start', `${(await timed(() => get('/connections'))).toFixed(0)} ms`]);
  rows.push(['GET /connections, 500 rows, warm (schedule list cached)', `${(await timed(() => get('/connections'))).toFixed(0)} ms`]);
  rows.push(['GET /api/connections (JSON), warm', `${(await timed(() => get('/api/connections'))).toFixed(0)} ms`]);
  rows.push(['GET /runs/<100,000-line run> (first page of 100)', `${(await timed(() => get(`/runs/${runId}`))).toFixed(0)} ms`]);
  rows.push(['GET /runs/<id>?after=99900 (last page)', `${(await timed(() => get(`/runs/${runId}?after=99900`))).toFixed(0)} ms`]);
  rows.push(['GET /runs/<id>?q=person77777@acme.fr (email search)', `${(await timed(() => get(`/runs/${runId}?q=person77777%40acme.fr`))).toFixed(0)} ms`]);
  rows.push(['GET /runs/<id>?q=77777 (Lucca id)', `${(await timed(() => get(`/runs/${runId}?q=77777`))).toFixed(0)} ms`]);
  let csvBytes = 0;
  rows.push(['GET /runs/<id>/report.csv (whole report, streamed)', `${(await timed(async () => { csvBytes = (await get(`/runs/${runId}/report.csv`)).length; })).toFixed(0)} ms, ${(csvBytes / 1e6).toFixed(1)} MB`]);

  const browser = await chromium.launch({ executablePath: parseEnv().CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  onCleanup('chromium', () => browser.close());
  const context = await browser.newContext();
  await context.addCookies([{ name: cookie.split('=')[0]!, value: cookie.split('=').slice(1).join('='), url: server.url }]);
  const page = await context.newPage();
  // Navigation timing, from the start of the navigation: the whole HTML received, then parsed and shown.
  const fcp = async (path: string) => {
    await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
    // A string: the project compiles without the DOM library.
    const t = (await page.evaluate(
      '(() => { const n = performance.getEntriesByType("navigation")[0]; return { response: n.responseEnd, dcl: n.domContentLoadedEventEnd }; })()',
    )) as { response: number; dcl: number };
    return `${t.response.toFixed(0)} ms to the last byte, ${t.dcl.toFixed(0)} ms to DOMContentLoaded`;
  };
  rows.push(['Chromium: /connections (500 rows)', await fcp('/connections')]);
  rows.push(['Chromium: /runs/<100,000-line run> (first page)', await fcp(`/runs/${runId}`)]);
  rows.push(['Chromium: /runs/<id>?after=99900 (last page)', await fcp(`/runs/${runId}?after=99900`)]);

  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
});
