import type { Command } from 'commander';
import { listIncidents } from '../../db/queries/incidents.js';
import { UsageError } from '../errors.js';
import { formatTime, out, table } from '../output.js';
import { requireConnection, withContext } from '../runtime.js';

interface ListOptions { connection?: string; open?: boolean; days: string }

/** `incidents list`: open incidents and those resolved recently, with their notifications. */
export function registerIncidentCommands(program: Command): void {
  const group = program.command('incidents').description('incidents opened and resolved by connection health');
  group
    .command('list')
    .description('open incidents and those resolved in the last days (default 7)')
    .option('--connection <name>', 'only this connection')
    .option('--open', 'only open incidents')
    .option('--days <n>', 'resolved incidents of the last n days', '7')
    .action(async (options: ListOptions) => {
      const days = Number(options.days);
      if (!/^\d+$/.test(options.days) || days < 1 || days > 365) throw new UsageError(`bad --days "${options.days}": expected a whole number of days from 1 to 365.`);
      await withContext(async (ctx) => {
        const connection = options.connection ? await requireConnection(ctx, options.connection) : undefined;
        const rows = await listIncidents(ctx.db, {
          since: new Date(Date.now() - days * 86_400_000), ...(connection && { connectionId: connection.id }), ...(options.open && { openOnly: true }),
        });
        if (rows.length === 0) return out(options.open ? 'No open incidents.' : `No open incidents, and none resolved in the last ${days} day(s).`);
        out(table(
          ['id', 'connection', 'kind', 'state', 'opened', 'resolved', 'notified', 'cause'],
          rows.map((r) => [
            String(r.id), r.connection, r.kind.replace('_', ' '), r.resolvedAt ? 'resolved' : 'open', formatTime(r.openedAt), formatTime(r.resolvedAt),
            `${r.sent} sent${r.pending ? `, ${r.pending} pending` : ''}${r.failed ? `, ${r.failed} failed` : ''}`, r.cause,
          ]),
        ));
      });
    });
}
