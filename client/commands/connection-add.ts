import type { Command } from 'commander';
import { TARGETS } from '../../activities/targets/registry.js';
import { parseEnv } from '../../config/env.js';
import { PolicySchema } from '../../rules/three-way.js';
import { maskSecret } from '../../lib/credentials.js';
import { addConnection } from '../../services/connections.js';
import { parseAddConnection, type AddConnectionOptions } from '../connection-input.js';
import { out } from '../output.js';
import { asService, withContext } from '../runtime.js';
import { describeCadence } from '../schedule-spec.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerConnectionAdd(group: Command): void {
  group
    .command('add')
    .description(`add a connection from a Lucca instance to ${or(Object.values(TARGETS).map((t) => t.label))} (keys are stored encrypted)`)
    .requiredOption('--name <name>', 'connection name: lower-case letters, digits and dashes, e.g. acme-happypal')
    .requiredOption('--lucca-url <url>', 'Lucca instance URL, e.g. https://acme.ilucca.net')
    .requiredOption('--lucca-key <key>', "Lucca API key (its role decides what the sync can read)")
    .requiredOption('--target <target>', or(Object.keys(TARGETS)))
    .option('--target-url <url>', `target API URL (default: ${or(Object.values(TARGETS).map((t) => t.defaultUrl))})`)
    .requiredOption('--target-key <key>', 'target API key')
    .option('--policy <policy>', `conflict policy: ${or(PolicySchema.options.map((p) => (p === 'lucca-wins' ? `${p} (default)` : p)))}`)
    .option('--field-policy <field=policy>', 'per-field policy, repeatable, e.g. email=review', collect)
    .option('--company <id>', "the customer company, e.g. acme: its HR admins see the connection in the console")
    .option('--schedule <cadence>', 'daily (default) or every-4h')
    .option('--at <HH:MM>', 'time of the daily sync (default 06:00)')
    .option('--tz <zone>', 'IANA time zone of --at (default Europe/Paris)')
    .action(async (options: AddConnectionOptions) => {
      const env = parseEnv();
      // Everything is checked before anything is written.
      const { connection, cadence } = parseAddConnection(options, env.LUCCA_ALLOWED_HOSTS);
      await withContext(async (ctx) => {
        const row = await addConnection(asService(ctx), connection, cadence);
        out(`Connection "${row.name}" added: Lucca ${row.luccaUrl} (key ${maskSecret(connection.luccaKey)}) → ${row.target} ${row.targetUrl} (key ${maskSecret(connection.targetKey)}).`);
        out(`Policy: ${row.defaultPolicy}${Object.keys(row.fieldPolicies).length ? `, fields ${formatFieldPolicies(row.fieldPolicies)}` : ''}.`);
        if (row.active) out(`Schedule: ${describeCadence(cadence)}. Sync now with: lucca-sync sync run ${row.name}`);
        else {
          out(`Inactive until an operator runs: lucca-sync connection activate ${row.name} [--schedule …]`);
          if (options.schedule || options.at || options.tz) out('The schedule options apply at activation: pass them to `connection activate`.');
        }
      }, env);
    });
}

export function formatFieldPolicies(policies: Record<string, string>): string {
  return Object.entries(policies).map(([field, policy]) => `${field}=${policy}`).join(', ');
}

/** `a, b or c` */
function or(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
