import type { Command } from 'commander';
import { findRunByWorkflowId } from '../../db/queries/runs.js';
import { startSync } from '../../services/sync.js';
import { EXIT } from '../errors.js';
import { formatCounts, out } from '../output.js';
import { asService, inContext } from '../runtime.js';
import { watchRun } from '../sync-watch.js';

interface RunOptions {
  dryRun?: boolean;
  confirmDeactivations?: boolean;
  confirmVisibility?: boolean;
  wait?: boolean;
  full?: boolean;
}

/** `sync run`: a manual sync, never alongside another sync of the same connection. */
export function registerSyncCommands(program: Command): void {
  const group = program.command('sync').description('start a sync by hand');
  group
    .command('run <name>')
    .description('start a sync of the connection now (refused while one is running)')
    .option('--dry-run', 'plan and report without writing to the target')
    .option('--confirm-deactivations', 'let the run through the mass-deactivation guard')
    .option('--full', 'full resync: ignore incremental read cursors and re-read everything from Lucca')
    .option('--confirm-visibility', 'let the run through the visibility guard (the Lucca key is expected to see less)')
    .option('--wait', 'follow the run: live progress, then the summary; exit 1 if it fails or is blocked')
    .action(inContext(async (ctx, name: string, options: RunOptions) => {
      const { handle } = await startSync(asService(ctx), name, {
        dryRun: !!options.dryRun, full: !!options.full, confirmDeactivations: !!options.confirmDeactivations, confirmVisibility: !!options.confirmVisibility,
      });
      const client = await ctx.client();
      out(`Started ${options.full ? 'a full resync' : options.dryRun ? 'a dry run' : 'a sync'}${options.full && options.dryRun ? ' (dry run)' : ''} of "${name}": workflow ${handle.workflowId}.`);
      if (!options.wait) {
        out(`Follow it with: lucca-sync runs list ${name} (or in the Temporal Web UI).`);
        return EXIT.ok;
      }
      process.once('SIGINT', () => {
        process.stdout.write(`\nStopped following; the sync goes on. See: lucca-sync runs list ${name}\n`);
        process.exit(130);
      });
      const result = await watchRun(client, handle, {
        tty: !!process.stdout.isTTY,
        write: (t) => process.stdout.write(t),
        workerHint: `Still waiting for a worker on task queue "${ctx.env.TEMPORAL_TASK_QUEUE}": is one running (npm run worker)?`,
      });
      if (!result.ok) {
        const row = await findRunByWorkflowId(ctx.db, handle.workflowId);
        out(`Sync of "${name}" failed: ${row?.message ?? result.message}`);
        if (row) out(`Report: lucca-sync report show ${row.id}`);
        return EXIT.failed;
      }
      const { summary } = result;
      out(`Sync of "${name}" ${summary.status}${summary.dryRun ? ' (dry run: nothing written)' : ''}: ${formatCounts(summary.counts)}.`);
      if (summary.message) out(summary.message);
      if (summary.status === 'blocked') out('If this is expected, run again with the confirmation the message names (--confirm-deactivations, --confirm-visibility).');
      out(`Report: lucca-sync report show ${summary.runId}`);
      return summary.status === 'completed' ? EXIT.ok : EXIT.failed;
    }));
}
