import type { Command } from 'commander';
import { activateConnection, planRemoval, planReset, removeConnection, resetConnection } from '../../services/connections.js';
import { confirmOrRefuse } from '../confirm.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { asService, inContext, withContext } from '../runtime.js';
import { describeCadence, parseCadence, type CadenceOptions } from '../schedule-spec.js';

export function registerConnectionManage(group: Command): void {
  group
    .command('remove <name>')
    .description('remove the connection (refused while a sync runs); runs, reports and links stay unless --purge')
    .option('--purge', 'also delete every personal value and id held for it (reports\' lines, links), for data-protection requests')
    .option('--yes', 'do not ask for confirmation (scripts)')
    .action(async (name: string, options: { purge?: boolean; yes?: boolean }) => {
      const purge = !!options.purge;
      await withContext(async (ctx) => {
        const plan = await planRemoval(ctx, name, { purge });
        out(`Removing "${name}"${purge ? ' with --purge' : ''} deletes: ${plan.deletes.join(', ')}.`);
        out(`It keeps: ${plan.keeps.join(', ')}.${purge ? '' : ' Add --purge to delete the reports\' lines and the links too.'}`);
        const yes = await confirmOrRefuse({ yes: options.yes, question: `Remove "${name}"?`, refusal: `connection remove ${name} needs a confirmation` });
        if (!yes) {
          out('Nothing removed.');
          return EXIT.failed;
        }
        const removed = await removeConnection(asService(ctx), name, { purge });
        out(`Connection "${name}" removed${removed.hadSchedule ? ' with its schedule' : ''}${purge ? ', purged' : ''}. The name is free again.`);
      });
    });

  group
    .command('reset <name>')
    .description('forget what the connection last wrote (snapshots, Reflect cursors): the next run compares everything afresh')
    .option('--yes', 'do not ask for confirmation (scripts)')
    .action(inContext(async (ctx, name: string, options: { yes?: boolean }) => {
      const { held } = await planReset(ctx, name);
      out(`Resetting "${name}" forgets ${held.snapshots} snapshot(s) of what we last wrote${held.cursors ? ` and ${held.cursors} read cursor(s)` : ''}` +
        `${held.openConflicts ? ` (except the snapshots of records with one of the ${held.openConflicts} open conflict(s))` : ''}.`);
      out(`It keeps the ${held.links} link(s) (each record is found again by link, then by email: nothing is created twice), ` +
        `the runs and reports, the conflicts, the quarantine and the settings.`);
      out('The next run compares Lucca with the target afresh: where they differ, Lucca\'s value is written under every policy (as on a first sync).');
      const yes = await confirmOrRefuse({ yes: options.yes, question: `Reset "${name}"?`, refusal: `connection reset ${name} needs a confirmation` });
      if (!yes) {
        out('Nothing reset.');
        return EXIT.failed;
      }
      const reset = await resetConnection(asService(ctx), name);
      out(`Connection "${name}" reset: ${reset.snapshots} snapshot(s) and ${reset.cursors} cursor(s) forgotten. Run it with: lucca-sync sync run ${name}`);
    }));

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
        const { connection, cadence, wasActive } = await activateConnection(asService(ctx), name, requested);
        out(`Connection "${connection.name}" is active${wasActive ? ' (it already was)' : ''}; schedule: ${describeCadence(cadence)}.`);
      });
    });
}
