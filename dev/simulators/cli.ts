import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { generateCompany } from './data/company.js';
import { startHappyPalSimulator } from './happypal/server.js';
import { startLuccaSimulator } from './lucca/server.js';
import { startReflectSimulator } from './reflect/server.js';

/**
 * `npm run sim -- <lucca|happypal|reflect> --port P --employees N --api-key K --seed S`
 * Starts one simulator on loopback, prints the URL a client is configured with, serves until SIGINT/SIGTERM.
 */
const Int = (min: number) => z.coerce.number().int().min(min);
export const SimCliOptionsSchema = z.object({
  kind: z.enum(['lucca', 'happypal', 'reflect']),
  port: Int(0).max(65_535).default(0),
  host: z.string().default('127.0.0.1'),
  employees: Int(0).max(1_000_000).default(1000),
  apiKey: z.string().min(1).optional(),
  seed: Int(0).default(1),
  rateLimit: Int(0).optional(),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').optional(),
});
export type SimCliOptions = z.infer<typeof SimCliOptionsSchema>;

interface Started {
  url: string;
  lines: string[];
  close(): Promise<void>;
}

async function start(opts: SimCliOptions): Promise<Started> {
  const common = { port: opts.port, host: opts.host, seed: opts.seed, rateLimitPerMinute: opts.rateLimit };
  if (opts.kind === 'lucca') {
    const apiKey = opts.apiKey ?? 'lucca-dev-key';
    const sim = await startLuccaSimulator(common);
    // Anchored on today and following wall time, so a demo's data and modifiedAt stamps look current.
    const company = generateCompany({ employees: opts.employees, seed: opts.seed, asOf: opts.asOf ?? new Date().toISOString().slice(0, 10) });
    if (!opts.asOf) company.clock.useWallClock();
    sim.addInstance({ name: 'demo', company, keys: [{ key: apiKey, name: 'demo' }] });
    return {
      url: sim.instanceUrl('demo'),
      lines: [`Lucca simulator: instance "demo", ${opts.employees} employees, key ${apiKey}, ${sim.rateLimitPerMinute || 'no'} req/min limit`, `admin: ${sim.url}/_admin`],
      close: () => sim.close(),
    };
  }
  const sim = opts.kind === 'happypal'
    ? await startHappyPalSimulator({ ...common, apiKey: opts.apiKey })
    : await startReflectSimulator({ ...common, apiKey: opts.apiKey });
  return { url: sim.url, lines: [`${opts.kind} simulator, key ${sim.apiKey}`], close: () => sim.close() };
}

function parseArgs(argv: string[]): SimCliOptions {
  const program = new Command('sim')
    .argument('<kind>', 'lucca | happypal | reflect')
    .option('--port <n>', 'port (0 picks a free one)')
    .option('--host <host>', 'bind address')
    .option('--employees <n>', 'lucca: number of generated employees')
    .option('--api-key <key>', 'the API key clients must send')
    .option('--seed <n>', 'seed for generated data and fault draws')
    .option('--rate-limit <n>', 'requests per minute (0 = off)')
    .option('--as-of <date>', 'lucca: anchor date of the generated data (default today, wall clock)')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  program.parse(argv, { from: 'user' });
  const parsed = SimCliOptionsSchema.safeParse({ kind: program.args[0], ...program.opts() });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CommanderError(2, 'sim.invalid', `${issue?.path.join('.') || 'arguments'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  let opts: SimCliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')) process.exit(0);
    process.stderr.write(`sim: ${err instanceof Error ? err.message.replace(/^error: /, '') : String(err)}\n`);
    process.exit(2);
  }
  const started = await start(opts);
  process.stdout.write(`${started.url}\n${started.lines.join('\n')}\n`);
  const stop = () => {
    // A signal handler cannot wait: the process ends in the chain itself; a failed close is an
    // unhandled rejection, which ends it with the error printed.
    void started.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
