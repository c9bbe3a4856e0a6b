import type { Command } from 'commander';
import { listOpenConflicts } from '../../db/queries/console.js';
import { cliActor, recordAudit } from '../../services/audit.js';
import { resolveConflict, type Keep } from '../conflict-resolution.js';
import { UsageError } from '../errors.js';
import { formatTime, out, table } from '../output.js';
import { requireConnection, withContext } from '../runtime.js';

const show = (v: string | null) => (v === null || v === '' ? '(empty)' : v);

/** `conflicts list|resolve`: fields left open under the `review` policy, for the HR admin. */
export function registerConflictCommands(program: Command): void {
  const group = program.command('conflicts').description('list and resolve open field conflicts (review policy)');

  group
    .command('list [name]')
    .description('open conflicts: id, connection, Lucca id, field, base → Lucca / HappyPal values')
    .action(async (name: string | undefined) => {
      await withContext(async (ctx) => {
        const connection = name ? await requireConnection(ctx, name) : undefined;
        const rows = (await listOpenConflicts(ctx.db, { all: true }, connection?.name, null))
          .filter((r) => !connection || r.conflict.connectionId === connection.id) // not a removed namesake's
          .map((r) => ({ c: r.conflict, connection: r.connection }));
        if (rows.length === 0) return out(name ? `No open conflict for "${name}".` : 'No open conflict.');
        out(table(
          ['id', 'connection', 'lucca id', 'happypal id', 'field', 'base', 'lucca', 'happypal', 'opened'],
          rows.map(({ c, connection: conn }) => [
            String(c.id), conn, c.sourceId, c.targetId ?? '-', c.field, show(c.baseValue), show(c.sourceValue), show(c.targetValue), formatTime(c.openedAt),
          ]),
        ));
        out('');
        out('Resolve one with: lucca-sync conflicts resolve <id> --keep lucca|happypal');
      });
    });

  group
    .command('resolve <id>')
    .description("pick a side: Lucca's value is written next sync, or HappyPal's value is kept")
    .requiredOption('--keep <side>', 'lucca or happypal')
    .action(async (id: string, options: { keep: string }) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`"${id}" is not a conflict id: ids are numbers, see \`lucca-sync conflicts list\`.`);
      // Past this no id exists (ids are bigints handed out from 1), and the number would not survive as a JS number.
      if (!Number.isSafeInteger(Number(id))) throw new UsageError(`unknown conflict ${id}: see \`lucca-sync conflicts list\`.`);
      if (options.keep !== 'lucca' && options.keep !== 'happypal') throw new UsageError(`bad --keep "${options.keep}": expected lucca or happypal.`);
      const keep: Keep = options.keep;
      await withContext(async (ctx) => {
        const resolved = await resolveConflict(ctx.db, Number(id), keep);
        await recordAudit(ctx.db, {
          actor: cliActor(), action: 'resolve', connection: { id: resolved.connectionId, name: resolved.connectionName },
          detail: { conflict: Number(id), field: resolved.field, keep },
        });
        out(keep === 'lucca'
          ? `Conflict ${id} resolved for Lucca: the next sync writes Lucca's ${resolved.field} to HappyPal.`
          : `Conflict ${id} resolved for HappyPal: its ${resolved.field} is kept while neither side changes it.`);
      });
    });
}
