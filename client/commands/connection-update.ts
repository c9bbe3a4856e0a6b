import type { Command } from 'commander';
import { PolicySchema } from '../../rules/three-way.js';
import { parseEnv } from '../../config/env.js';
import { updateConnection } from '../../services/connections.js';
import { parseUpdateConnection, type UpdateConnectionOptions } from '../connection-input.js';
import { out } from '../output.js';
import { asService, withContext } from '../runtime.js';
import { describeCadence } from '../schedule-spec.js';
import { formatFieldPolicies } from './connection-add.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `connection update <name>`: changes settings in place; runs, reports, links, snapshots and conflicts stay. */
export function registerConnectionUpdate(group: Command): void {
  group
    .command('update <name>')
    .description('change keys, URLs, policies, guard, schedule or name in place (history, links and snapshots stay)')
    .option('--lucca-key <key>', 'new Lucca API key (tested first; refused if it sees less than the current one)')
    .option('--lucca-url <url>', 'new Lucca instance URL (tested first with the key)')
    .option('--target-key <key>', 'new target API key')
    .option('--target-url <url>', 'new target API URL')
    .option('--policy <policy>', `conflict policy: ${PolicySchema.options.join(', ')}`)
    .option('--field-policy <field=policy>', 'per-field policy, repeatable; field=default drops it', collect)
    .option('--clear-field-policies', 'drop every per-field policy (before applying --field-policy)')
    .option('--guard <percent>', 'stop before deactivating more than this share of linked profiles (0-100)')
    .option('--schedule <cadence>', 'daily or every-4h')
    .option('--at <HH:MM>', 'time of the daily sync (default 06:00)')
    .option('--tz <zone>', 'IANA time zone of --at (default Europe/Paris)')
    .option('--rename <new-name>', 'new connection name (its schedule moves with it; refused while a sync runs)')
    .option('--confirm-less-access', 'accept a Lucca key or URL that sees less than the current one')
    .action(async (name: string, options: UpdateConnectionOptions) => {
      const env = parseEnv();
      // Every option is checked before Lucca is called or anything is written.
      const input = parseUpdateConnection(options, env.LUCCA_ALLOWED_HOSTS);
      await withContext(async (ctx) => {
        const result = await updateConnection(asService(ctx), name, input);
        const row = result.connection;
        for (const line of result.luccaCheck?.lines ?? []) if (line.level === 'warn') out(`warning: ${line.text}`);
        if (result.lessAccess.length) out(`Confirmed: the new Lucca access sees less (${result.lessAccess.join('; ')}).`);
        out(`Connection "${row.name}" updated: ${result.changed.join(', ')}.${input.rename && row.name !== name ? ` (renamed from "${name}")` : ''}`);
        if (result.changed.includes('policy') || result.changed.includes('fieldPolicies')) {
          out(`Policy: ${row.defaultPolicy}${Object.keys(row.fieldPolicies).length ? `, fields ${formatFieldPolicies(row.fieldPolicies)}` : ''}.`);
        }
        if (result.cadence) out(`Schedule: ${describeCadence(result.cadence)}.`);
        out('Runs, reports, links, snapshots and conflicts are unchanged.');
      }, env);
    });
}
