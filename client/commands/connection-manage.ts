import type { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { updateConnection } from '../../db/queries/connections.js';
import { connections } from '../../db/schema.js';
import { out } from '../output.js';
import { requireConnection, withContext } from '../runtime.js';
import { cadenceFromSpec, describeCadence, parseCadence, type CadenceOptions } from '../schedule-spec.js';
import { deleteSchedule, describeSchedule, ensureSchedule } from '../schedules.js';

export function registerConnectionManage(group: Command): void {
  group
    .command('remove <name>')
    .description('delete the connection: its schedule first, then the row (runs, links and snapshots go with it)')
    .action(async (name: string) => {
      await withContext(async (ctx) => {
        const row = await requireConnection(ctx, name);
        // Schedule first: a schedule left behind would keep starting syncs of a connection that is gone.
        const hadSchedule = await deleteSchedule(await ctx.client(), row.name);
        await ctx.db.delete(connections).where(eq(connections.id, row.id));
        out(`Connection "${row.name}" removed${hadSchedule ? ' with its schedule' : ''}.`);
      });
    });

  group
    .command('activate <name>')
    .description('activate a connection (Reflect connections start inactive) and ensure its schedule')
    .option('--schedule <cadence>', 'daily or every-4h (default: keep the existing schedule, else daily)')
    .option('--at <HH:MM>', 'time of the daily sync (default 06:00)')
    .option('--tz <zone>', 'IANA time zone of --at (default Europe/Paris)')
    .action(async (name: string, options: CadenceOptions) => {
      const given = options.schedule !== undefined || options.at !== undefined || options.tz !== undefined;
      const requested = given ? parseCadence(options) : null;
      await withContext(async (ctx) => {
        const row = await requireConnection(ctx, name);
        const client = await ctx.client();
        const existing = await describeSchedule(client, row.name);
        const cadence = requested ?? (existing && cadenceFromSpec(existing.spec)) ?? parseCadence({});
        if (!row.active) await updateConnection(ctx.db, row.id, { active: true });
        try {
          await ensureSchedule(client, {
            connection: { id: row.id, name: row.name, target: row.target }, cadence, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE,
          });
        } catch (err) {
          if (!row.active) await updateConnection(ctx.db, row.id, { active: false });
          throw err;
        }
        out(`Connection "${row.name}" is active${row.active ? ' (it already was)' : ''}; schedule: ${describeCadence(cadence)}.`);
      });
    });
}
