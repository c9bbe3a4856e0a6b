/**
 * Micro-benchmark of staging (a script, not a test):  npx tsx dev/bench/staging.ts [pages]
 *
 * Stages pages of 1,000 Lucca users and 1,000 HappyPal profiles (the shapes the HappyPal sync
 * stages) into a scratch database, two ways, alternating:
 *   - the drizzle multi-row insert with 5 bound parameters per row (what `stageRows` did before);
 *   - `stageRows` of activities/http/fetch-loop.ts as it is now: the same rows as ONE JSON
 *     parameter expanded by Postgres (jsonb_array_elements).
 * Prints the time per page of each. Same table, same keys, same ON CONFLICT DO NOTHING.
 */
import { randomUUID } from 'node:crypto';
import { parseEnv } from '../../config/env.js';
import { stageRows, type StagedRow } from '../../db/queries/staging.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { insertConnection } from '../../db/queries/connections.js';
import { closeRun, insertRunningRun } from '../../db/queries/runs.js';
import { stagedRecords } from '../../db/schema.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { generateCompany } from '../simulators/data/company.js';
import { cleanupAll, onCleanup, startDatabase } from './infra.js';

const PAGES = Number(process.argv[2] ?? 30);

/** The staging insert before the JSON parameter (commit cddcaf6), kept here for comparison. */
async function stageWithDrizzle(db: DbHandle, runId: string, dataset: string, page: number, rows: readonly StagedRow[]) {
  const values = rows.map((r) => ({ runId, dataset, page, sourceId: r.sourceId, data: r.data }));
  await db.db.insert(stagedRecords).values(values).onConflictDoNothing();
}

async function main() {
  const { databaseUrl, postgresDescription } = await startDatabase(parseEnv().DATABASE_URL);
  const db = createDb(databaseUrl, { max: 4 });
  onCleanup('pool', () => db.close());
  const cipher = createCredentialCipher(Buffer.alloc(32, 3));
  const connection = await insertConnection(db.db, cipher, {
    name: 'staging-bench', target: 'happypal', luccaUrl: 'http://127.0.0.1/t/x', luccaKey: 'k'.repeat(10),
    targetUrl: 'http://127.0.0.1', targetKey: 'k'.repeat(10),
  });
  const company = generateCompany({ employees: 1000, seed: 9, withActivity: false });
  const lucca: StagedRow[] = company.users.map((u) => ({
    sourceId: String(u.id),
    data: { id: u.id, firstName: u.firstName, lastName: u.lastName, mail: u.mail, birthDate: u.birthDate, dtContractStart: u.dtContractStart, dtContractEnd: u.dtContractEnd, modifiedAt: u.modifiedAt },
  }));
  const happypal: StagedRow[] = company.users.map((u, i) => ({
    sourceId: `hp_usr_${i + 1}`,
    data: {
      id: `hp_usr_${i + 1}`, external_id: String(u.id), first_name: u.firstName, last_name: u.lastName ?? '', email: u.mail.toLowerCase(),
      birth_date: u.birthDate, contract_start: u.dtContractStart, contract_end: u.dtContractEnd, status: 'active',
      created_at: '2025-09-01T08:00:00.000Z', updated_at: '2025-09-01T08:00:00.000Z', updated_by: 'api',
    },
  }));
  const times: Record<string, number[]> = { drizzle: [], json: [] };
  for (let page = 0; page < PAGES; page++) {
    for (const [name, stage] of [['drizzle', stageWithDrizzle], ['json', stageRows]] as const) {
      // A run row per round, as the product claims it (one running run per connection: each is closed after).
      const run = await insertRunningRun(db.db, { connectionId: connection.id, workflowId: randomUUID(), trigger: 'manual', dryRun: false });
      if (run === 'busy') throw new Error('the previous round left its run open');
      const started = performance.now();
      await stage(db, run.id, 'lucca-users', page, lucca);
      await stage(db, run.id, 'happypal-users', page, happypal);
      times[name]!.push(performance.now() - started);
      await closeRun(db.db, run.id, { status: 'completed', counts: {}, message: null, failureCode: null, purgeOthers: false });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const warm = (xs: number[]) => xs.slice(3);
  process.stdout.write(`staging, one Lucca page + one HappyPal page of 1,000 rows each (${PAGES} rounds, first 3 dropped; ${postgresDescription}; shared machine)\n`);
  for (const [name, xs] of Object.entries(times)) {
    process.stdout.write(`  ${name.padEnd(8)} median ${median(warm(xs)).toFixed(1)} ms per round (${(median(warm(xs)) / 2).toFixed(1)} ms per 1,000 rows)\n`);
  }
  const gain = median(warm(times.drizzle!)) - median(warm(times.json!));
  process.stdout.write(`  at 100,000 employees (100 Lucca + ~87 HappyPal pages), JSON staging saves about ${((gain / 2) * 187 / 1000).toFixed(1)} s per sync\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
