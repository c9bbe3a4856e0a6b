import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { out } from '../output.js';
import { listRuns } from '../../db/queries/console.js';
import { runsTable } from '../runs-view.js';
import { requireConnection, withContext } from '../runtime.js';

/** `runs list`: the recent runs of a connection, newest first. */
export function registerRunsCommands(program: Command): void {
  const group = program.command('runs').description('list the sync runs of a connection');
  group
    .command('list <name>')
    .description('id, started, status, trigger, dry run, counts and message of recent runs')
    .option('--limit <n>', 'how many runs (default 20)', '20')
    .action(async (name: string, options: { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`bad --limit "${options.limit}": expected a whole number of runs from 1 to 10000, e.g. 20.`);
      await withContext(async (ctx) => {
        const connection = await requireConnection(ctx, name);
        const runs = await listRuns(ctx.db, connection.id, limit);
        out(runs.length ? runsTable(runs) : `No runs of "${name}" yet. Start one with: lucca-sync sync run ${name}`);
      });
    });
}
