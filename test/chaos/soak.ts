/**
 * The long chaos run: many seeds × many steps of the model-based convergence test (model.ts),
 * under all three policies (and a per-field mix), on a Temporal dev server and a database of its
 * own. Bounded in time; prints what it did. Exits 1 on the first divergence, naming seed and step.
 *
 *   npm run soak                         # 5 minutes
 *   npm run soak -- --minutes 20 --steps 40 --employees 80
 *   npm run soak -- --seed 2202 --policy target-wins --steps 8 --employees 40 --fault-rate 0.35 \
 *     --mass-every 0 --switch-rate 0 --verbose      # replay one run (a failure prints this command)
 *
 * PostgreSQL: DATABASE_URL's server when set (a scratch database is created and dropped), else the
 * embedded one. Temporal: the installed `temporal` binary, in memory, on a free port.
 */
import { parseArgs } from 'node:util';
import { parseEnv } from '../../config/env.js';
import { migrateDatabase } from '../../db/migrate.js';
import { findTemporalCli } from '../../dev/stack/binaries.js';
import { resolveDataDir } from '../../config/paths.js';
import { freePort } from '../../lib/ports.js';
import { createScratchDatabase, startPostgres } from '../../db/postgres.js';
import { startTemporalServer } from '../../dev/stack/temporal-server.js';
import { createChaosHarness } from '../support/chaos.js';
import { emptyStats, runModel, type ModelConfig } from './model.js';
import type { Field, Policy } from './oracle.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    steps: { type: 'string', default: '25' },
    employees: { type: 'string', default: '60' },
    seed: { type: 'string' },
    policy: { type: 'string' },
    fields: { type: 'string' },
    'fault-rate': { type: 'string', default: '0.4' },
    'mass-every': { type: 'string', default: '10' },
    'switch-rate': { type: 'string', default: '0.05' },
    verbose: { type: 'boolean', default: false },
    // Resyncs read incrementally (full read every 7 days); without it, every other seed does (an unset flag alternates).
    incremental: { type: 'boolean' },
  },
});

const POLICIES: { policy: Policy; fieldPolicies?: Partial<Record<Field, Policy>> }[] = [
  { policy: 'lucca-wins' },
  { policy: 'target-wins' },
  { policy: 'review' },
  { policy: 'lucca-wins', fieldPolicies: { lastName: 'target-wins', email: 'review' } },
];

async function main(): Promise<number> {
  const started = Date.now();
  const deadline = started + Number(args.minutes) * 60_000;
  const steps = Number(args.steps);
  const employees = Number(args.employees);
  const env = parseEnv(process.env);
  const say = (line: string) => process.stdout.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

  const postgres = await startPostgres({ databaseUrl: env.DATABASE_URL, dataDir: resolveDataDir(env.DATA_DIR), port: env.EMBEDDED_PG_PORT });
  const database = await createScratchDatabase(postgres.url, 'lucca_soak');
  await migrateDatabase(database.url);
  const temporal = await startTemporalServer({
    cliPath: findTemporalCli(env), address: `127.0.0.1:${await freePort()}`, uiPort: 0, headless: true,
  });
  say(`Temporal ${temporal.address}, database ${new URL(database.url).pathname.slice(1)}; ${args.minutes} min, ${steps} steps × ${employees} employees per seed`);

  const total = emptyStats();
  let seeds = 0;
  let failure: unknown;
  try {
    for (let i = 0; Date.now() < deadline; i++) {
      const seed = args.seed ? Number(args.seed) : 10_000 + i * 7919 + (started % 997);
      const variant = args.policy
        ? { policy: args.policy as Policy, ...(args.fields && { fieldPolicies: JSON.parse(args.fields) as Partial<Record<Field, Policy>> }) }
        : (POLICIES[i % POLICIES.length] as (typeof POLICIES)[number]);
      const config: ModelConfig = {
        seed, ...variant, steps, employees, faultRate: Number(args['fault-rate']), massDepartureEvery: Number(args['mass-every']),
        policySwitchRate: Number(args['switch-rate']), deadline, ...(args.verbose && { log: say }),
        incremental: args.incremental ?? i % 2 === 1,
      };
      const h = await createChaosHarness({
        temporalAddress: temporal.address, databaseUrl: database.url,
        company: { employees, seed }, luccaSeed: seed, happypalSeed: seed,
      });
      try {
        const before = { ...total };
        await runModel(h, config, total);
        seeds += 1;
        say(`seed ${seed} ${variant.policy}${variant.fieldPolicies ? '+fields' : ''}: ${total.syncs - before.syncs} syncs, ` +
          `${total.recordsChecked - before.recordsChecked} records checked, ${total.faultAnswers - before.faultAnswers} fault answers`);
      } finally {
        await h.close();
      }
      if (args.seed) break;
    }
  } catch (err) {
    failure = err;
  } finally {
    await temporal.stop();
    await database.drop().catch(() => undefined);
    await postgres.stop();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  say(`${failure ? 'FAILED' : 'done'} in ${minutes} min: ${seeds} seeds, ${total.syncs} syncs (${total.blocked} stopped by the guard, then confirmed), ` +
    `${total.recordsChecked} records checked, ${total.luccaChanges} Lucca changes, ${total.handEdits} hand edits, ` +
    `${total.faultSwitches} fault switches → ${total.faultAnswers} fault answers (Lucca 5xx/429/408, HappyPal 429/500/lost writes; cut bodies not counted)`);
  if (failure) {
    process.stderr.write(`${failure instanceof Error ? failure.stack ?? failure.message : String(failure)}\n`);
    return 1;
  }
  return 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
