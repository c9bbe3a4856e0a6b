import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Env } from '../config/env.js';
import type { Db } from '../db/client.js';
import {
  ApiKeySchema, ConnectionNameSchema, countHeld, deleteConnectionRow, findConnectionByName, insertConnection, PolicySchema,
  removeConnectionData, resetConnectionMemory, SyncedFieldSchema, updateConnection as updateConnectionRow,
  type Connection, type ConnectionChanges, type HeldCounts, type NewConnection,
} from '../db/queries/connections.js';
import type { CredentialCipher } from '../lib/credentials.js';
import { validateLuccaUrl, validateTargetUrl } from '../lib/lucca-url.js';
import { scheduleIdFor } from '../workflows/contracts.js';
import { checkLucca, lessAccess, type LuccaCheck } from './lucca-check.js';
import { checkTarget, type TargetCheck } from './target-check.js';
import { findRunningSync } from '../client/run-guard.js';
import { cadenceFromSpec, describeCadence, TimeZoneSchema, type Cadence } from '../client/schedule-spec.js';
import { deleteSchedule, describeSchedule, ensureSchedule } from '../client/schedules.js';
import { storedMappings, storedScope } from '../rules/connection-config.js';
import { isOperator, recordAudit, type Actor } from './audit.js';
import { checkedUrl, ServiceError } from './errors.js';
import { TARGETS } from '../activities/targets/registry.js';

/**
 * The rules of managing a connection (add, update, remove, reset), shared by the CLI and the web
 * console: each validates its input with zod, checks what must be checked before anything is written,
 * keeps Postgres and the Temporal schedule in step, and writes the audit log.
 */
export interface ServiceContext {
  db: Db;
  cipher: CredentialCipher;
  /** Temporal, connected on first use. */
  client(): Promise<Client>;
  env: Pick<Env, 'LUCCA_ALLOWED_HOSTS' | 'TEMPORAL_TASK_QUEUE'> & Partial<Pick<Env, 'SCHEDULE_JITTER_SECONDS'>>;
  actor: Actor;
}

export async function getConnection(sctx: Pick<ServiceContext, 'db'>, name: string): Promise<Connection> {
  const row = await findConnectionByName(sctx.db, name);
  if (!row) throw new ServiceError('not_found', `unknown connection "${name}": run \`lucca-sync connection list\` to see the connections.`);
  return row;
}

const today = () => new Date().toISOString().slice(0, 10);
const scheduled = (row: Connection) => ({ id: row.id, name: row.name, target: row.target });

/** Refuses while a sync of the connection runs: names the run. */
async function refuseWhileRunning(client: Client, sctx: ServiceContext, row: Connection, doing: string): Promise<void> {
  const running = await findRunningSync(sctx.db, client, row);
  if (running) {
    throw new ServiceError('busy', `a sync of "${row.name}" is running (${running}): ${doing} once it has finished (lucca-sync runs list ${row.name}).`);
  }
}

// ---------------------------------------------------------------------------------------------- add

/** Stores the connection and, for an active one, its schedule; nothing half-written if Temporal fails. */
export async function addConnection(sctx: ServiceContext, input: NewConnection, cadence: Cadence): Promise<Connection> {
  if (await findConnectionByName(sctx.db, input.name)) {
    throw new ServiceError('conflict', `a connection named "${input.name}" already exists: pick another --name, or remove it first.`, 'name');
  }
  const row = await insertConnection(sctx.db, sctx.cipher, input).catch((err: unknown) => {
    if ((err as { code?: string }).code === '23505') throw new ServiceError('conflict', `a connection named "${input.name}" already exists.`, 'name');
    throw err;
  });
  if (row.active) {
    try {
      await ensureSchedule(await sctx.client(), { connection: scheduled(row), cadence, taskQueue: sctx.env.TEMPORAL_TASK_QUEUE, jitterSeconds: sctx.env.SCHEDULE_JITTER_SECONDS });
    } catch (err) {
      // Without its schedule the connection is removed again (it has nothing else yet).
      await deleteConnectionRow(sctx.db, row.id);
      throw err;
    }
  }
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'add', connection: row,
    detail: { target: row.target, policy: row.defaultPolicy, active: row.active },
  });
  return row;
}

// ------------------------------------------------------------------------------------------- update

export const CadenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('daily'), hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59), timezone: TimeZoneSchema }),
  z.object({ kind: z.literal('every-4h') }),
]);

/** What `connection update` may change; every field optional. A null field policy falls back to the default. */
export const UpdateConnectionSchema = z.strictObject({
  rename: ConnectionNameSchema.optional(),
  luccaUrl: z.string().optional(),
  luccaKey: ApiKeySchema.optional(),
  targetUrl: z.string().optional(),
  targetKey: ApiKeySchema.optional(),
  defaultPolicy: PolicySchema.optional(),
  fieldPolicies: z.partialRecord(SyncedFieldSchema, PolicySchema.nullable()).optional(),
  /** Replace the field policies instead of merging into them. */
  replaceFieldPolicies: z.boolean().optional(),
  deactivationGuardPct: z.number().int().min(0).max(100).optional(),
  cadence: CadenceSchema.optional(),
  /** The operator accepts a Lucca key or URL that sees less than the current one. */
  confirmLessAccess: z.boolean().optional(),
});
export type UpdateConnectionInput = z.input<typeof UpdateConnectionSchema>;

export interface UpdateResult {
  connection: Connection;
  /** Which settings changed (names only: never a key). */
  changed: string[];
  /** What the Lucca check of a new key or URL said (warnings included), when one ran. */
  luccaCheck: LuccaCheck | null;
  /** What the target check of a new target key or URL said, when one ran. */
  targetCheck: TargetCheck | null;
  /** What the new key sees less, when the operator confirmed it. */
  lessAccess: string[];
  cadence: Cadence | null;
}

/** The first zod issue as a ServiceError naming its field. */
function invalid(error: z.ZodError): ServiceError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'input';
  return new ServiceError('invalid', `bad ${field}: expected ${issue?.message ?? 'a valid value'}.`, field);
}

/**
 * Changes a connection in place: its id, runs, reports, links, snapshots and conflicts stay. A new
 * Lucca key or URL is tested first and compared with the current one; a rename moves the schedule
 * (same spec, same paused state) and is refused while a sync runs, as is a URL change.
 */
export async function updateConnection(sctx: ServiceContext, name: string, raw: UpdateConnectionInput): Promise<UpdateResult> {
  const parsed = UpdateConnectionSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const input = parsed.data;
  const row = await getConnection(sctx, name);
  const hosts = sctx.env.LUCCA_ALLOWED_HOSTS;
  const set: ConnectionChanges = {};
  const changed: string[] = [];
  const change = (setting: string, values: ConnectionChanges) => {
    Object.assign(set, values);
    changed.push(setting);
  };

  const luccaUrl = input.luccaUrl === undefined ? row.luccaUrl : checkedUrl('luccaUrl', () => validateLuccaUrl(input.luccaUrl as string, hosts));
  if (luccaUrl !== row.luccaUrl) change('luccaUrl', { luccaUrl });
  if (input.luccaKey !== undefined) change('luccaKey', { luccaKeyEnc: sctx.cipher.encrypt(input.luccaKey) });
  if (input.targetUrl !== undefined) {
    const targetUrl = checkedUrl('targetUrl', () => validateTargetUrl(input.targetUrl as string, hosts));
    if (targetUrl !== row.targetUrl) change('targetUrl', { targetUrl });
  }
  if (input.targetKey !== undefined) change('targetKey', { targetKeyEnc: sctx.cipher.encrypt(input.targetKey) });
  if (input.defaultPolicy !== undefined && input.defaultPolicy !== row.defaultPolicy) change('policy', { defaultPolicy: input.defaultPolicy });
  if (input.fieldPolicies !== undefined || input.replaceFieldPolicies) {
    const next: Record<string, string> = input.replaceFieldPolicies ? {} : { ...row.fieldPolicies };
    for (const [field, policy] of Object.entries(input.fieldPolicies ?? {})) {
      if (policy === null || policy === undefined) delete next[field];
      else next[field] = policy;
    }
    if (JSON.stringify(Object.entries(next).sort()) !== JSON.stringify(Object.entries(row.fieldPolicies).sort())) change('fieldPolicies', { fieldPolicies: next });
  }
  if (input.deactivationGuardPct !== undefined && input.deactivationGuardPct !== row.deactivationGuardPct) {
    change('deactivationGuard', { deactivationGuardPct: input.deactivationGuardPct });
  }
  const rename = input.rename !== undefined && input.rename !== row.name ? input.rename : null;
  if (rename) {
    if (await findConnectionByName(sctx.db, rename)) throw new ServiceError('conflict', `a connection named "${rename}" already exists: pick another name.`, 'rename');
    change('name', { name: rename });
  }
  if (input.cadence) {
    if (!row.active) {
      throw new ServiceError('invalid', `connection "${row.name}" is not active, so it has no schedule: pass the schedule to \`lucca-sync connection activate ${row.name}\`.`, 'cadence');
    }
    changed.push('schedule');
  }
  if (changed.length === 0) throw new ServiceError('invalid', `nothing to change for "${row.name}": give at least one setting (see lucca-sync connection update --help).`);

  // A new key or URL is tested before it is saved, and must not see less than the current one.
  let luccaCheck: LuccaCheck | null = null;
  let less: string[] = [];
  if (set.luccaUrl !== undefined || input.luccaKey !== undefined) {
    const newKey = input.luccaKey ?? storedKey(sctx, row);
    if (newKey === null) {
      throw new ServiceError('refused', `the stored Lucca key of "${row.name}" cannot be decrypted (another CREDENTIALS_KEY?): give it again with --lucca-key.`, 'luccaKey');
    }
    // The connection's scope and mapped fields too: a new key without their section or org data is refused.
    luccaCheck = await checkLucca({
      baseUrl: luccaUrl, apiKey: newKey, today: today(), connection: row.name,
      scope: storedScope(row.scope), mappings: storedMappings(row.fieldMappings),
    });
    if (!luccaCheck.usable) {
      const fails = luccaCheck.lines.filter((l) => l.level === 'fail').map((l) => l.text.replace(/\.$/, ''));
      throw new ServiceError('refused', `the new Lucca ${input.luccaKey !== undefined ? 'key' : 'URL'} was not saved: ${fails.join('; ')}.`, input.luccaKey !== undefined ? 'luccaKey' : 'luccaUrl');
    }
    const current = await currentAccess(sctx, row);
    less = current && luccaCheck.seen ? lessAccess(current, luccaCheck.seen) : [];
    if (less.length > 0 && !input.confirmLessAccess) {
      throw new ServiceError('refused', `the new Lucca ${input.luccaKey !== undefined ? 'key' : 'URL'} sees less than the current one (${less.join('; ')}): nothing was saved. Check the key's role in Lucca, or pass --confirm-less-access if this is intended.`, 'luccaKey');
    }
  }

  // A new target key or URL is read with before it is saved: a typo never replaces a working key.
  let targetCheck: TargetCheck | null = null;
  if (set.targetUrl !== undefined || input.targetKey !== undefined) {
    const key = input.targetKey ?? storedSecret(sctx, row.targetKeyEnc);
    if (key === null) {
      throw new ServiceError('refused', `the stored target key of "${row.name}" cannot be decrypted (another CREDENTIALS_KEY?): give it again with --target-key.`, 'targetKey');
    }
    targetCheck = await checkTarget({ target: row.target, baseUrl: set.targetUrl ?? row.targetUrl, apiKey: key });
    if (!targetCheck.usable) {
      const fails = targetCheck.lines.filter((l) => l.level === 'fail').map((l) => l.text.replace(/\.$/, ''));
      throw new ServiceError('refused', `the new target ${input.targetKey !== undefined ? 'key' : 'URL'} was not saved: ${fails.join('; ')}.`, input.targetKey !== undefined ? 'targetKey' : 'targetUrl');
    }
  }

  const client = rename || input.cadence || set.luccaUrl || set.targetUrl ? await sctx.client() : null;
  // Another instance or another target mid-run would mix two companies in one report; a rename
  // would leave the running sync under the old name.
  if (client && (rename || set.luccaUrl || set.targetUrl)) await refuseWhileRunning(client, sctx, row, 'change it');

  await updateConnectionRow(sctx.db, row.id, set);
  const updated: Connection = { ...row, ...set };
  let cadence: Cadence | null = input.cadence ?? null;
  if (client && (rename || input.cadence)) {
    try {
      cadence = await moveSchedule(client, sctx, row, updated, input.cadence ?? null);
    } catch (err) {
      // The schedule did not move: the row keeps its old settings too.
      await updateConnectionRow(sctx.db, row.id, {
        name: row.name, luccaUrl: row.luccaUrl, luccaKeyEnc: row.luccaKeyEnc, targetUrl: row.targetUrl, targetKeyEnc: row.targetKeyEnc,
        defaultPolicy: row.defaultPolicy, fieldPolicies: row.fieldPolicies, deactivationGuardPct: row.deactivationGuardPct,
      });
      throw err;
    }
  }
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'update', connection: updated,
    detail: { changed, ...(rename && { renamedFrom: row.name }), ...(less.length > 0 && { lessAccessConfirmed: less }) },
  });
  return { connection: updated, changed, luccaCheck, targetCheck, lessAccess: less, cadence };
}

/** The stored Lucca key, or null when it was encrypted with another CREDENTIALS_KEY. */
function storedKey(sctx: ServiceContext, row: Connection): string | null {
  return storedSecret(sctx, row.luccaKeyEnc);
}

function storedSecret(sctx: Pick<ServiceContext, 'cipher'>, encrypted: string): string | null {
  try {
    return sctx.cipher.decrypt(encrypted);
  } catch {
    return null;
  }
}

/** What the current key sees, to compare with a new one; null when it cannot be read (expired, say). */
async function currentAccess(sctx: ServiceContext, row: Connection) {
  const key = storedKey(sctx, row);
  if (key === null) return null;
  const check = await checkLucca({ baseUrl: row.luccaUrl, apiKey: key, today: today() });
  return check.seen ?? null;
}

/**
 * Applies a new cadence and/or a new name to the schedule. A rename creates `sync-<new>` paused
 * (so the two never fire together), deletes `sync-<old>`, then unpauses it unless the old one was
 * paused, whose note (the pause reason) it keeps.
 */
async function moveSchedule(client: Client, sctx: ServiceContext, before: Connection, after: Connection, newCadence: Cadence | null): Promise<Cadence | null> {
  const old = await describeSchedule(client, before.name);
  const cadence = newCadence ?? (old ? cadenceFromSpec(old.spec) : null);
  if (!cadence) return null;
  const taskQueue = sctx.env.TEMPORAL_TASK_QUEUE;
  const jitterSeconds = sctx.env.SCHEDULE_JITTER_SECONDS;
  if (after.name === before.name) {
    await ensureSchedule(client, { connection: scheduled(after), cadence, taskQueue, jitterSeconds });
    return cadence;
  }
  if (!old) return null;
  await ensureSchedule(client, { connection: scheduled(after), cadence, taskQueue, jitterSeconds, paused: true });
  try {
    await deleteSchedule(client, before.name);
  } catch (err) {
    await deleteSchedule(client, after.name).catch(() => undefined);
    throw err;
  }
  const handle = client.schedule.getHandle(scheduleIdFor(after.name));
  if (old.state.paused) {
    if (old.state.note) await handle.pause(old.state.note);
  } else {
    await ensureSchedule(client, { connection: scheduled(after), cadence, taskQueue, jitterSeconds, paused: false });
  }
  return cadence;
}

// ----------------------------------------------------------------------------------------- activate

/**
 * Activates a connection and ensures its schedule (the given cadence, else the existing one, else
 * daily). A Reflect connection is activated only by an operator (the publisher's help desk): an HR
 * admin's account is refused. Nothing half-done: the row goes back to inactive if the schedule fails.
 */
export async function activateConnection(sctx: ServiceContext, name: string, requested: Cadence | null): Promise<{ connection: Connection; cadence: Cadence; wasActive: boolean }> {
  const row = await getConnection(sctx, name);
  if (!TARGETS[row.target].startsActive && !isOperator(sctx.actor)) {
    throw new ServiceError('forbidden', `only an operator can activate the ${TARGETS[row.target].label} connection "${row.name}": ask your operator (the publisher's help desk) to activate it.`);
  }
  const client = await sctx.client();
  const existing = await describeSchedule(client, row.name);
  const cadence = requested ?? (existing && cadenceFromSpec(existing.spec)) ?? DEFAULT_CADENCE;
  if (!row.active) await updateConnectionRow(sctx.db, row.id, { active: true });
  try {
    await ensureSchedule(client, { connection: scheduled(row), cadence, taskQueue: sctx.env.TEMPORAL_TASK_QUEUE, jitterSeconds: sctx.env.SCHEDULE_JITTER_SECONDS });
  } catch (err) {
    if (!row.active) await updateConnectionRow(sctx.db, row.id, { active: false });
    throw err;
  }
  await recordAudit(sctx.db, { actor: sctx.actor, action: 'activate', connection: row, detail: { wasActive: row.active, schedule: describeCadence(cadence) } });
  return { connection: { ...row, active: true }, cadence, wasActive: row.active };
}

const DEFAULT_CADENCE: Cadence = { kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' };

// ------------------------------------------------------------------------------------ remove, reset

export interface RemovalPlan {
  connection: Connection;
  held: HeldCounts;
  purge: boolean;
  /** Readable lists for the confirmation (counts and kinds, no personal value). */
  deletes: string[];
  keeps: string[];
}

/** What `remove` (or `remove --purge`) would delete and keep, for the confirmation. */
export async function planRemoval(sctx: Pick<ServiceContext, 'db'>, name: string, options: { purge: boolean }): Promise<RemovalPlan> {
  const row = await getConnection(sctx, name);
  const held = await countHeld(sctx.db, row.id);
  const deletes = [
    'its schedule', 'its stored keys',
    `${held.snapshots} snapshot(s) of what we last wrote`, `${held.stagedRecords} staged Lucca record(s)`,
    `${held.quarantined} quarantined record(s)`, `${held.conflicts} conflict(s) (${held.openConflicts} open)`,
    ...(held.cursors ? [`${held.cursors} read cursor(s)`] : []),
  ];
  const keeps = [`${held.runs} run(s) with their counts and messages`, 'the audit log'];
  if (options.purge) deletes.push(`${held.reportLines} report line(s) (every field value of every report)`, `${held.links} link(s) between Lucca and ${row.target} ids`);
  else keeps.push(`${held.reportLines} report line(s) (lucca-sync report show <run id>)`, `${held.links} link(s) between Lucca and ${row.target} ids (which profiles we created or attached)`);
  return { connection: row, held, purge: options.purge, deletes, keeps };
}

/**
 * Removes a connection, refused while a sync runs (a sync stopped mid-write would orphan what it
 * wrote). The row stays, marked removed with its keys wiped, so runs and reports stay readable; the
 * name is free again. See removeConnectionData for what goes.
 */
export async function removeConnection(sctx: ServiceContext, name: string, options: { purge: boolean }): Promise<RemovalPlan & { hadSchedule: boolean }> {
  const plan = await planRemoval(sctx, name, options);
  const row = plan.connection;
  const client = await sctx.client();
  await refuseWhileRunning(client, sctx, row, 'remove it');
  // From here a sync that starts fails on its first activity (the connection is gone), before any write.
  await removeConnectionData(sctx.db, row.id, options);
  const hadSchedule = await deleteSchedule(client, row.name);
  await recordAudit(sctx.db, {
    actor: sctx.actor, action: 'remove', connection: row,
    detail: { purge: options.purge, runs: plan.held.runs, links: plan.held.links, reportLines: plan.held.reportLines, snapshots: plan.held.snapshots },
  });
  return { ...plan, hadSchedule };
}

export interface ResetPlan {
  connection: Connection;
  held: HeldCounts;
}

export async function planReset(sctx: Pick<ServiceContext, 'db'>, name: string): Promise<ResetPlan> {
  const row = await getConnection(sctx, name);
  return { connection: row, held: await countHeld(sctx.db, row.id) };
}

/**
 * Forgets the snapshots (except those under an open conflict) and the read cursors (Reflect datasets, HappyPal incremental reads), refused
 * while a sync runs. Links, runs, reports, conflicts and quarantine stay.
 */
export async function resetConnection(sctx: ServiceContext, name: string): Promise<{ connection: Connection; snapshots: number; cursors: number; keptSnapshots: number }> {
  const row = await getConnection(sctx, name);
  await refuseWhileRunning(await sctx.client(), sctx, row, 'reset it');
  const before = await countHeld(sctx.db, row.id);
  const gone = await resetConnectionMemory(sctx.db, row.id);
  await recordAudit(sctx.db, { actor: sctx.actor, action: 'reset', connection: row, detail: { snapshots: gone.snapshots, cursors: gone.cursors } });
  return { connection: row, ...gone, keptSnapshots: before.snapshots - gone.snapshots };
}
