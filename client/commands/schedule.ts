import type { Command } from 'commander';
import type { Connection } from '../../db/queries/connections.js';
import { cliActor, recordAudit } from '../../services/audit.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { out } from '../output.js';
import { requireConnection, inContext, withContext } from '../runtime.js';
import { cadenceFromSpec, describeCadence, parseCadence } from '../schedule-spec.js';
import { describeSchedule, ensureSchedule, pauseSchedule, resumeSchedule } from '../schedules.js';

interface SetOptions {
  daily?: boolean;
  every4h?: boolean;
  at?: string;
  tz?: string;
}

async function requireScheduled(ctx: CliContext, name: string): Promise<Connection> {
  const row = await requireConnection(ctx, name);
  if (!row.active) throw new UsageError(`connection "${name}" is not active, so it has no schedule: run \`lucca-sync connection activate ${name}\` first.`);
  return row;
}

/** `schedule set|pause|resume`: Temporal owns the schedule; these commands change it there. */
export function registerScheduleCommands(program: Command): void {
  const group = program.command('schedule').description("change, pause or resume a connection's schedule");

  group
    .command('set <name>')
    .description('sync daily at a time in a time zone, or every four hours')
    .option('--daily', 'once a day at --at (default 06:00) in --tz (default Europe/Paris)')
    .option('--every-4h', 'every four hours')
    .option('--at <HH:MM>', 'time of the daily sync')
    .option('--tz <zone>', 'IANA time zone, e.g. Europe/Paris')
    .action(async (name: string, options: SetOptions) => {
      if (!!options.daily === !!options.every4h) throw new UsageError('choose one cadence: --daily [--at HH:MM] [--tz Zone] or --every-4h.');
      const cadence = parseCadence({ schedule: options.every4h ? 'every-4h' : 'daily', at: options.at, tz: options.tz });
      await withContext(async (ctx) => {
        const row = await requireScheduled(ctx, name);
        const client = await ctx.client();
        await ensureSchedule(client, {
          connection: { id: row.id, name: row.name, target: row.target }, cadence, taskQueue: ctx.env.TEMPORAL_TASK_QUEUE, jitterSeconds: ctx.env.SCHEDULE_JITTER_SECONDS,
        });
        const paused = (await describeSchedule(client, row.name))?.state.paused;
        await recordAudit(ctx.db, { actor: cliActor(), action: 'schedule', connection: row, detail: { schedule: describeCadence(cadence) } });
        out(`Schedule of "${row.name}": ${describeCadence(cadence)}${paused ? ' (still paused: resume it with `lucca-sync schedule resume ' + row.name + '`)' : ''}.`);
      });
    });

  group
    .command('pause <name>')
    .description('stop scheduled syncs until resumed (manual `sync run` still works)')
    .option('--reason <text>', 'why, shown in `connection show` and the Web UI')
    .action(inContext(async (ctx, name: string, options: { reason?: string }) => {
      const row = await requireScheduled(ctx, name);
      const client = await ctx.client();
      if (!(await describeSchedule(client, row.name))) throw new UsageError(`connection "${name}" has no schedule: set one with \`lucca-sync schedule set ${name} --daily\`.`);
      await pauseSchedule(client, row.name, options.reason);
      // The reason is the operator's free text, shown to operators already: kept out of the audit all the same.
      await recordAudit(ctx.db, { actor: cliActor(), action: 'pause', connection: row, detail: { reasonGiven: !!options.reason } });
      out(`Schedule of "${row.name}" paused${options.reason ? `: ${options.reason}` : ''}.`);
    }));

  group
    .command('resume <name>')
    .description('resume scheduled syncs')
    .action(inContext(async (ctx, name: string) => {
      const row = await requireScheduled(ctx, name);
      const client = await ctx.client();
      const described = await describeSchedule(client, row.name);
      if (!described) throw new UsageError(`connection "${name}" has no schedule: set one with \`lucca-sync schedule set ${name} --daily\`.`);
      const cadence = cadenceFromSpec(described.spec);
      await resumeSchedule(client, { id: row.id, name: row.name, target: row.target }, cadence);
      await recordAudit(ctx.db, { actor: cliActor(), action: 'resume', connection: row });
      out(`Schedule of "${row.name}" resumed${cadence ? `: ${describeCadence(cadence)}` : ''}.`);
    }));
}
