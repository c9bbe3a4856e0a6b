import type { Command } from 'commander';
import { listOpenConflicts } from '../../db/queries/console.js';
import { cliActor, recordAudit } from '../../services/audit.js';
import { targetLabel } from '../../activities/targets/registry.js';
import { KEEP_CHOICES, parseKeep, resolveConflict } from '../conflict-resolution.js';
import { UsageError } from '../errors.js';
import { formatTime, out, table } from '../output.js';
import { requireConnection, inContext, withContext } from '../runtime.js';

const show = (v: string | null) => (v === null || v === '' ? '(empty)' : v);

/** `conflicts list|resolve`: fields left open under the `review` policy, for the HR admin. */
export function registerConflictCommands(program: Command): void {
  const group = program.command('conflicts').description('list and resolve open field conflicts (review policy)');

  group
    .command('list [name]')
    .description("open conflicts: id, connection, Lucca id, field, base → Lucca / the target's values")
    .action(inContext(async (ctx, name: string | undefined) => {
      const connection = name ? await requireConnection(ctx, name) : undefined;
      const rows = (await listOpenConflicts(ctx.db, { all: true }, connection?.name, null))
        .filter((r) => !connection || r.conflict.connectionId === connection.id) // not a removed namesake's
        .map((r) => ({ c: r.conflict, connection: r.connection }));
      if (rows.length === 0) return out(name ? `No open conflict for "${name}".` : 'No open conflict.');
      out(table(
        ['id', 'connection', 'lucca id', 'target id', 'field', 'base', 'lucca', 'target', 'opened'],
        rows.map(({ c, connection: conn }) => [
          String(c.id), conn, c.sourceId, c.targetId ?? '-', c.field, show(c.baseValue), show(c.sourceValue), show(c.targetValue), formatTime(c.openedAt),
        ]),
      ));
      out('');
      out('Resolve one with: lucca-sync conflicts resolve <id> --keep lucca|target');
    }));

  group
    .command('resolve <id>')
    .description("pick a side: Lucca's value is written next sync, or the target's value is kept")
    .requiredOption('--keep <side>', KEEP_CHOICES)
    .action(async (id: string, options: { keep: string }) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`"${id}" is not a conflict id: ids are numbers, see \`lucca-sync conflicts list\`.`);
      // Past this no id exists (ids are bigints handed out from 1), and the number would not survive as a JS number.
      if (!Number.isSafeInteger(Number(id))) throw new UsageError(`unknown conflict ${id}: see \`lucca-sync conflicts list\`.`);
      const { side: keep, target } = parseKeep(options.keep);
      await withContext(async (ctx) => {
        const resolved = await resolveConflict(ctx.db, Number(id), keep, { ...(target && { target }) });
        await recordAudit(ctx.db, {
          actor: cliActor(), action: 'resolve', connection: { id: resolved.connectionId, name: resolved.connectionName },
          detail: { conflict: Number(id), field: resolved.field, keep },
        });
        const label = targetLabel(resolved.target);
        out(keep === 'lucca'
          ? `Conflict ${id} resolved for Lucca: the next sync writes Lucca's ${resolved.field} to ${label}.`
          : `Conflict ${id} resolved for ${label}: its ${resolved.field} is kept while neither side changes it.`);
      });
    });
}
