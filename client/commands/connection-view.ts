import type { ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { describeConfig } from '../../services/connection-scope.js';
import { listConnections, type Connection } from '../../db/queries/connections.js';
import { maskSecret } from '../../lib/credentials.js';
import { connectionAudit, formatAuditDetail } from '../../services/audit.js';
import type { CliContext } from '../context.js';
import { formatTime, out, table, warn } from '../output.js';
import { listRuns } from '../../db/queries/console.js';
import { runsTable } from '../runs-view.js';
import { maskedKey, requireConnection, inContext, withContext } from '../runtime.js';
import { cadenceFromSpec, describeCadence } from '../schedule-spec.js';
import { describeSchedule } from '../schedules.js';
import { formatFieldPolicies } from './connection-add.js';
import { computeHealth, parseHealthStates, scheduleFacts, type HealthState } from '../../services/health.js';
import { UsageError } from '../errors.js';

/** Health of the connections listed, from the schedules already described (one Temporal call each). */
async function healthOf(ctx: CliContext, rows: readonly Connection[], described: readonly Described[]) {
  const byName = new Map(rows.map((row, i) => [row.name, scheduleFacts(described[i])]));
  const computed = await computeHealth(ctx.db, async (name) => byName.get(name) ?? 'unknown', new Date(), rows.map((r) => r.name));
  return new Map(computed.map((c) => [c.connection.name, c.health]));
}

const label = (state: HealthState) => state.replace('_', ' ');

function healthFilter(values: readonly string[]): Set<HealthState> | null {
  if (values.length === 0) return null;
  try {
    return new Set(parseHealthStates(values));
  } catch (err) {
    throw new UsageError(`bad --health: ${(err as Error).message}.`);
  }
}

type Described = ScheduleDescription | undefined | 'unavailable';

/** Temporal owns the schedule state: read it there. 'unavailable' when Temporal cannot be reached. */
async function describeAll(ctx: CliContext, rows: readonly Connection[]): Promise<Described[]> {
  if (rows.length === 0) return [];
  try {
    const client = await ctx.client();
    return await Promise.all(rows.map((row) => describeSchedule(client, row.name)));
  } catch (err) {
    warn(`schedules not shown: ${err instanceof Error ? err.message : String(err)}`);
    return rows.map(() => 'unavailable' as const);
  }
}

export function scheduleState(described: Described): { cadence: string; state: string; next: string } {
  if (described === 'unavailable') return { cadence: '?', state: 'unknown', next: '-' };
  if (!described) return { cadence: '-', state: 'none', next: '-' };
  const cadence = cadenceFromSpec(described.spec);
  return {
    cadence: cadence ? describeCadence(cadence) : 'custom',
    state: described.state.paused ? 'paused' : 'running',
    next: described.state.paused ? '-' : formatTime(described.info.nextActionTimes[0]),
  };
}

export function registerConnectionView(group: Command): void {
  group
    .command('list')
    .description('list connections with their health and schedule state (keys masked)')
    .option('--health <states>', 'only connections in these health states, e.g. failing or auth-error,stale (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .action(async (options: { health: string[] }) => {
      const wanted = healthFilter(options.health);
      await withContext(async (ctx) => {
        const rows = await listConnections(ctx.db);
        if (rows.length === 0) return out('No connections yet. Add one with: lucca-sync connection add --help');
        const described = await describeAll(ctx, rows);
        const health = await healthOf(ctx, rows, described);
        const shown = rows.map((row, i) => ({ row, d: described[i], h: health.get(row.name) })).filter(({ h }) => !wanted || (h && wanted.has(h.state)));
        if (shown.length === 0) return out(`No connections in health ${[...(wanted ?? [])].map(label).join(', ')}.`);
        out(table(
          ['name', 'target', 'active', 'health', 'schedule', 'state', 'next run', 'policy', 'lucca key'],
          shown.map(({ row, d, h }) => {
            const s = scheduleState(d);
            return [row.name, row.target, row.active ? 'yes' : 'no', h ? label(h.state) : '?', s.cadence, s.state, s.next, row.defaultPolicy, maskedKey(ctx, row.luccaKeyEnc, maskSecret)];
          }),
        ));
      });
    });

  group
    .command('show <name>')
    .description('show one connection: settings (keys masked), schedule, next runs, last 5 runs, last 10 audit entries')
    .action(inContext(async (ctx, name: string) => {
      const row = await requireConnection(ctx, name);
      const [described] = await describeAll(ctx, [row]);
      const s = scheduleState(described);
      const fields = Object.keys(row.fieldPolicies).length ? ` (fields: ${formatFieldPolicies(row.fieldPolicies)})` : '';
      out(`Connection ${row.name}  (id ${row.id})`);
      out(`  target:       ${row.target} ${row.targetUrl}, key ${maskedKey(ctx, row.targetKeyEnc, maskSecret)}`);
      out(`  Lucca:        ${row.luccaUrl}, key ${maskedKey(ctx, row.luccaKeyEnc, maskSecret)}`);
      out(`  active:       ${row.active ? 'yes' : `no (activate with: lucca-sync connection activate ${row.name})`}`);
      out(`  policy:       ${row.defaultPolicy}${fields}`);
      out(`  guard:        stop before deactivating more than ${row.deactivationGuardPct} % of linked profiles`);
      const config = describeConfig(row);
      out(`  scope:        ${config.scope}`);
      out(`  mappings:     ${config.mappings.length ? config.mappings.join('; ') : 'none'}`);
      const health = (await healthOf(ctx, [row], [described])).get(row.name);
      if (health) out(`  health:       ${label(health.state)} (${health.cause})`);
      out(`  schedule:     ${s.cadence}, ${s.state}`);
      if (described && described !== 'unavailable') {
        if (described.state.note) out(`  note:         ${described.state.note}`);
        const next = described.state.paused ? [] : described.info.nextActionTimes.slice(0, 3);
        out(`  next runs:    ${next.length ? next.map(formatTime).join(', ') : '-'}`);
        out(`  taken:        ${described.info.numActionsTaken} run(s), ${described.info.numActionsSkippedOverlap} skipped (overlap)`);
      }
      const runs = await listRuns(ctx.db, row.id, 5);
      out('');
      out(runs.length ? `Last runs:\n${runsTable(runs)}` : 'No runs yet.');
      const audit = await connectionAudit(ctx.db, row.id, 10);
      out('');
      out(audit.length ? `Audit (newest first):\n${table(['when', 'who', 'what', 'detail'], audit.map((a) => [formatTime(a.at), a.actor, a.action, formatAuditDetail(a.detail)]))}` : 'No audit entries.');
    }));
}
