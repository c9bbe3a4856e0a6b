import { z } from 'zod';
import {
  ApiKeySchema, CompanySchema, ConnectionNameSchema, findConnectionById, findConnectionByName, insertConnection, PolicySchema, SyncedFieldSchema,
  updateConnection as updateConnectionRow, type Connection,
} from '../db/queries/connections.js';
import type { CredentialCipher } from '../lib/credentials.js';
import { validateLuccaUrl, validateTargetUrl } from '../lib/lucca-url.js';
import { TARGETS, TargetNameSchema, type TargetName } from '../activities/targets/registry.js';
import { recordAudit } from './audit.js';
import { activateConnection, CadenceSchema, getConnection, removeConnection, type ServiceContext } from './connections.js';
import { checkedUrl, ServiceError } from './errors.js';
import { checkLucca, type CheckLine } from './lucca-check.js';
import { startSync } from './sync.js';
import { checkTarget } from './target-check.js';

/**
 * Setting up a connection step by step (the console's wizard): test the Lucca key, test the target
 * key, choose policies and schedule, preview a first sync as a dry run, save. Every rule here is the
 * CLI's (the same schemas, the same checks, the same services); the wizard only carries the values
 * between steps. The preview runs the real sync workflow with dryRun on the connection stored
 * inactive: Lucca and the target are read, the plan is written as a report, nothing is written to
 * the target. Saving activates a HappyPal connection (with its schedule); a Reflect one stays
 * inactive until an operator activates it.
 */

/** A target's name, as the registry lists them (the one list). */
export const TargetSchema = TargetNameSchema;
export type Target = TargetName;
export const DEFAULT_TARGET_URL = { happypal: 'https://api.happypal.fr', reflect: 'https://api.getreflect.io' } as const;

/** Everything the wizard gathers; filled step by step. Keys included: kept server-side only, encrypted. */
export const SetupDataSchema = z.object({
  luccaUrl: z.string().optional(),
  luccaKey: z.string().optional(),
  luccaLines: z.array(z.object({ level: z.enum(['ok', 'warn', 'fail']), text: z.string() })).optional(),
  luccaUsable: z.boolean().optional(),
  target: TargetSchema.optional(),
  targetUrl: z.string().optional(),
  targetKey: z.string().optional(),
  targetLines: z.array(z.object({ level: z.enum(['ok', 'warn', 'fail']), text: z.string() })).optional(),
  targetUsable: z.boolean().optional(),
  settings: z.object({
    name: ConnectionNameSchema,
    company: CompanySchema.nullable(),
    defaultPolicy: PolicySchema,
    fieldPolicies: z.partialRecord(SyncedFieldSchema, PolicySchema),
    deactivationGuardPct: z.number().int().min(0).max(100),
    cadence: CadenceSchema,
  }).optional(),
});
export type SetupData = z.infer<typeof SetupDataSchema>;
export type SetupSettings = NonNullable<SetupData['settings']>;

export const encryptSetup = (cipher: CredentialCipher, data: SetupData) => cipher.encrypt(JSON.stringify(data));
export function decryptSetup(cipher: CredentialCipher, stored: string): SetupData {
  try {
    return SetupDataSchema.parse(JSON.parse(cipher.decrypt(stored)));
  } catch {
    // Another CREDENTIALS_KEY, or an older shape: the setup starts again rather than fail.
    return {};
  }
}

function key(field: 'luccaKey' | 'targetKey', value: string | undefined, kept: string | undefined): string {
  const given = value === undefined || value === '' ? kept : value;
  if (given === undefined) throw new ServiceError('invalid', `bad ${field}: paste the API key.`, field);
  const parsed = ApiKeySchema.safeParse(given);
  if (!parsed.success) throw new ServiceError('invalid', `bad ${field}: expected ${parsed.error.issues[0]?.message ?? 'an API key'}.`, field);
  return given;
}

const today = () => new Date().toISOString().slice(0, 10);

/** Step 1: the Lucca URL and key, tested as `lucca-sync connection test` does (the diagnosis names what is missing). A blank key keeps the one tested before. */
export async function testLuccaStep(sctx: Pick<ServiceContext, 'env'>, data: SetupData, input: { luccaUrl: string; luccaKey?: string | undefined }): Promise<SetupData> {
  const luccaUrl = checkedUrl('luccaUrl', () => validateLuccaUrl(input.luccaUrl, sctx.env.LUCCA_ALLOWED_HOSTS));
  const luccaKey = key('luccaKey', input.luccaKey, luccaUrl === data.luccaUrl || input.luccaKey ? data.luccaKey : undefined);
  const check = await checkLucca({ baseUrl: luccaUrl, apiKey: luccaKey, today: today() });
  return { ...data, luccaUrl, luccaKey, luccaLines: check.lines, luccaUsable: check.usable };
}

/** Step 2: the target, its URL (default: the target's public API) and key, tested with one read. */
export async function testTargetStep(sctx: Pick<ServiceContext, 'env'>, data: SetupData, input: { target: Target; targetUrl?: string | undefined; targetKey?: string | undefined }): Promise<SetupData> {
  const targetUrl = checkedUrl('targetUrl', () => validateTargetUrl(input.targetUrl || DEFAULT_TARGET_URL[input.target], sctx.env.LUCCA_ALLOWED_HOSTS));
  const same = input.target === data.target && targetUrl === data.targetUrl;
  const targetKey = key('targetKey', input.targetKey, same || input.targetKey ? data.targetKey : undefined);
  const check = await checkTarget({ target: input.target, baseUrl: targetUrl, apiKey: targetKey });
  return { ...data, target: input.target, targetUrl, targetKey, targetLines: check.lines, targetUsable: check.usable };
}

/**
 * Step 3: name, company, policies, schedule. `companies` are those the person may set up for (an HR
 * admin: theirs; null: any, an operator). `ownConnectionId`: the draft's own connection may keep its name.
 */
export async function settingsStep(
  sctx: Pick<ServiceContext, 'db'>, data: SetupData, input: unknown, companies: readonly string[] | null, ownConnectionId: string | null,
): Promise<SetupData> {
  if (!stepsDone(data, null).target) throw new ServiceError('invalid', 'test a Lucca key and a target key that work first (steps 1 and 2).', 'settings');
  const parsed = SetupDataSchema.shape.settings.unwrap().safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'settings';
    throw new ServiceError('invalid', `bad ${field}: expected ${issue?.message ?? 'a valid value'}.`, field);
  }
  const settings = parsed.data;
  if (companies !== null) {
    if (settings.company === null || !companies.includes(settings.company)) {
      throw new ServiceError('invalid', `bad company: you can set up connections only for ${companies.length ? companies.join(', ') : 'no company (ask an operator to assign you one)'}.`, 'company');
    }
  }
  const taken = await findConnectionByName(sctx.db, settings.name);
  if (taken && taken.id !== ownConnectionId) throw new ServiceError('conflict', `a connection named "${settings.name}" already exists: pick another name.`, 'name');
  return { ...data, settings };
}

/** Which steps are done, in order: a step opens once every step before it is done. */
export function stepsDone(data: SetupData, preview: { finished: boolean } | null) {
  const lucca = !!data.luccaUsable;
  const target = lucca && !!data.targetUsable;
  const settings = target && !!data.settings;
  return { lucca, target, settings, preview: settings && !!preview?.finished };
}

function complete(data: SetupData): Required<Pick<SetupData, 'luccaUrl' | 'luccaKey' | 'target' | 'targetUrl' | 'targetKey'>> & { settings: SetupSettings } {
  const done = stepsDone(data, null);
  if (!done.lucca) throw new ServiceError('invalid', 'test a Lucca key that works first (step 1).', 'luccaKey');
  if (!done.target) throw new ServiceError('invalid', 'test a target key that works first (step 2).', 'targetKey');
  if (!done.settings || !data.settings) throw new ServiceError('invalid', 'choose the name, policies and schedule first (step 3).', 'settings');
  return data as ReturnType<typeof complete>;
}

/**
 * Step 4: stores the connection inactive (or updates the one a previous preview stored) and starts a
 * dry run of it: the real workflow reads Lucca and the target and writes its plan as a report,
 * without writing to the target. Returns the run to follow.
 */
export async function startPreview(sctx: ServiceContext, data: SetupData, connectionId: string | null): Promise<{ connection: Connection; runId: string }> {
  const d = complete(data);
  const values = {
    name: d.settings.name, target: d.target, luccaUrl: d.luccaUrl, luccaKey: d.luccaKey, targetUrl: d.targetUrl, targetKey: d.targetKey,
    defaultPolicy: d.settings.defaultPolicy, fieldPolicies: d.settings.fieldPolicies, deactivationGuardPct: d.settings.deactivationGuardPct,
    ...(d.settings.company !== null && { company: d.settings.company }),
  };
  let row: Connection | undefined;
  if (connectionId) {
    const existing = await findConnectionById(sctx.db, connectionId);
    if (existing && !existing.removedAt && !existing.active) {
      await updateConnectionRow(sctx.db, existing.id, {
        name: values.name, target: values.target, luccaUrl: values.luccaUrl, luccaKeyEnc: sctx.cipher.encrypt(values.luccaKey),
        targetUrl: values.targetUrl, targetKeyEnc: sctx.cipher.encrypt(values.targetKey), defaultPolicy: values.defaultPolicy,
        fieldPolicies: values.fieldPolicies, deactivationGuardPct: values.deactivationGuardPct, company: d.settings.company,
      });
      row = await getConnection(sctx, values.name);
    }
  }
  if (!row) {
    if (await findConnectionByName(sctx.db, values.name)) throw new ServiceError('conflict', `a connection named "${values.name}" already exists: pick another name (step 3).`, 'name');
    row = await insertConnection(sctx.db, sctx.cipher, values, { active: false });
  }
  const { runId } = await startSync(sctx, row, { dryRun: true });
  return { connection: row, runId };
}

/**
 * Step 5: the setup is saved. A HappyPal connection is activated with the chosen schedule; a Reflect
 * one stays inactive until an operator activates it (services/connections.ts activateConnection).
 */
export async function saveSetup(sctx: ServiceContext, data: SetupData, connectionId: string | null): Promise<{ connection: Connection; active: boolean }> {
  const d = complete(data);
  const row = connectionId ? await findConnectionById(sctx.db, connectionId) : undefined;
  if (!row || row.removedAt) throw new ServiceError('invalid', 'preview the first sync before saving (step 4).', 'preview');
  const added = () => recordAudit(sctx.db, {
    actor: sctx.actor, action: 'add', connection: row,
    detail: { target: row.target, policy: row.defaultPolicy, company: row.company, via: 'console setup', active: TARGETS[row.target].startsActive },
  });
  if (!TARGETS[row.target].startsActive) {
    await added();
    return { connection: row, active: false };
  }
  const { connection } = await activateConnection(sctx, row.name, d.settings.cadence);
  await added();
  return { connection, active: true };
}

/** Discards the setup: the connection its preview stored goes, with what the preview read and planned. */
export async function discardSetup(sctx: ServiceContext, connectionId: string | null): Promise<void> {
  if (!connectionId) return;
  const row = await findConnectionById(sctx.db, connectionId);
  if (!row || row.removedAt || row.active) return;
  // The preview's run row is final a moment before its workflow closes (and before Temporal's
  // visibility says so): a refusal for a running sync is retried for a few seconds.
  for (let waited = 0; ; waited += 250) {
    try {
      await removeConnection(sctx, row.name, { purge: true });
      return;
    } catch (err) {
      if (!(err instanceof ServiceError && err.kind === 'busy') || waited >= 30_000) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export type { CheckLine };
