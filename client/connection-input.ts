import type { z } from 'zod';
import { isTargetName, TARGET_NAMES, TARGETS } from '../activities/targets/registry.js';
import { NewConnectionSchema, PolicySchema, SyncedFieldSchema, type NewConnection } from '../db/queries/connections.js';
import { InvalidConnectionUrlError, validateLuccaUrl, validateTargetUrl } from '../lib/lucca-url.js';
import { UpdateConnectionSchema, type UpdateConnectionInput } from '../services/connections.js';
import { UsageError } from './errors.js';
import { parseCadence, type Cadence } from './schedule-spec.js';


/** The options of `connection add`, as commander hands them over (strings only). */
export interface AddConnectionOptions {
  name: string;
  luccaUrl: string;
  luccaKey: string;
  target: string;
  targetUrl?: string;
  targetKey: string;
  policy?: string;
  fieldPolicy?: string[];
  schedule?: string;
  at?: string;
  tz?: string;
  company?: string;
}

const FLAG: Record<string, string> = {
  name: '--name', target: '--target', luccaUrl: '--lucca-url', luccaKey: '--lucca-key', targetUrl: '--target-url',
  targetKey: '--target-key', company: '--company', defaultPolicy: '--policy', fieldPolicies: '--field-policy',
  rename: '--rename', deactivationGuardPct: '--guard',
};

/** The first zod issue, worded with the flag at fault. */
function flagError(error: z.ZodError): UsageError {
  const issue = error.issues[0];
  const flag = FLAG[String(issue?.path[0])] ?? String(issue?.path[0] ?? 'input');
  return new UsageError(`bad ${flag}: expected ${issue?.message ?? 'a valid value'}.`);
}

export function parsePolicy(value: string, flag = '--policy'): z.infer<typeof PolicySchema> {
  const result = PolicySchema.safeParse(value);
  if (!result.success) throw new UsageError(`bad ${flag} "${value}": expected one of ${PolicySchema.options.join(', ')}.`);
  return result.data;
}

/** `email=review` pairs → a field policy map; each pair is checked on its own. */
export function parseFieldPolicies(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const [field = '', policy, ...rest] = pair.split('=');
    if (policy === undefined || rest.length > 0) throw new UsageError(`bad --field-policy "${pair}": expected field=policy, e.g. email=review.`);
    if (!SyncedFieldSchema.safeParse(field).success) {
      throw new UsageError(`bad --field-policy "${pair}": unknown field "${field}", expected one of ${SyncedFieldSchema.options.join(', ')}.`);
    }
    out[field] = parsePolicy(policy, `--field-policy "${pair}": policy`);
  }
  return out;
}

export function parseLuccaUrl(value: string, allowedHosts: readonly string[]): string {
  return parseUrl('--lucca-url', () => validateLuccaUrl(value, allowedHosts));
}

export function parseTargetUrl(value: string, allowedHosts: readonly string[]): string {
  return parseUrl('--target-url', () => validateTargetUrl(value, allowedHosts));
}

function parseUrl(flag: string, check: () => string): string {
  try {
    return check();
  } catch (err) {
    if (err instanceof InvalidConnectionUrlError) throw new UsageError(`bad ${flag}: ${err.message}`);
    throw err;
  }
}

/**
 * Checks every option of `connection add` before anything is written: name, URLs (the Lucca one
 * against the allow-list), keys, policies, cadence. Throws UsageError naming the flag at fault.
 */
export function parseAddConnection(options: AddConnectionOptions, allowedHosts: readonly string[]): { connection: NewConnection; cadence: Cadence } {
  if (!isTargetName(options.target)) {
    throw new UsageError(`bad --target "${options.target}": expected ${TARGET_NAMES.join(' or ')}.`);
  }
  const target = options.target;
  const input: NewConnection = {
    name: options.name,
    target,
    luccaUrl: parseLuccaUrl(options.luccaUrl, allowedHosts),
    luccaKey: options.luccaKey,
    targetUrl: options.targetUrl ?? TARGETS[target].defaultUrl,
    targetKey: options.targetKey,
    defaultPolicy: parsePolicy(options.policy ?? 'lucca-wins'),
    fieldPolicies: parseFieldPolicies(options.fieldPolicy ?? []),
    ...(options.company !== undefined && { company: options.company }),
  };
  const result = NewConnectionSchema.safeParse(input);
  if (!result.success) throw flagError(result.error);
  return { connection: { ...input, targetUrl: parseTargetUrl(input.targetUrl, allowedHosts) }, cadence: parseCadence(options) };
}

/** The options of `connection update`, as commander hands them over. */
export interface UpdateConnectionOptions {
  rename?: string;
  luccaUrl?: string;
  luccaKey?: string;
  targetUrl?: string;
  targetKey?: string;
  policy?: string;
  fieldPolicy?: string[];
  clearFieldPolicies?: boolean;
  guard?: string;
  schedule?: string;
  at?: string;
  tz?: string;
  confirmLessAccess?: boolean;
}

/**
 * Checks every option of `connection update` before anything is tested or written; `field=default`
 * drops a field's own policy. Throws UsageError naming the flag at fault.
 */
export function parseUpdateConnection(options: UpdateConnectionOptions, allowedHosts: readonly string[]): UpdateConnectionInput {
  const pairs = options.fieldPolicy ?? [];
  const dropped = pairs.filter((p) => p.endsWith('=default')).map((p) => p.slice(0, -'=default'.length));
  for (const field of dropped) {
    if (!SyncedFieldSchema.safeParse(field).success) {
      throw new UsageError(`bad --field-policy "${field}=default": unknown field "${field}", expected one of ${SyncedFieldSchema.options.join(', ')}.`);
    }
  }
  const fieldPolicies: Record<string, string | null> = {
    ...parseFieldPolicies(pairs.filter((p) => !p.endsWith('=default'))),
    ...Object.fromEntries(dropped.map((f) => [f, null])),
  };
  let guard: number | undefined;
  if (options.guard !== undefined) {
    if (!/^\d{1,3}$/.test(options.guard) || Number(options.guard) > 100) {
      throw new UsageError(`bad --guard "${options.guard}": expected a whole percentage from 0 to 100, e.g. 10.`);
    }
    guard = Number(options.guard);
  }
  const input: UpdateConnectionInput = {
    ...(options.rename !== undefined && { rename: options.rename }),
    ...(options.luccaUrl !== undefined && { luccaUrl: parseLuccaUrl(options.luccaUrl, allowedHosts) }),
    ...(options.luccaKey !== undefined && { luccaKey: options.luccaKey }),
    ...(options.targetUrl !== undefined && { targetUrl: parseTargetUrl(options.targetUrl, allowedHosts) }),
    ...(options.targetKey !== undefined && { targetKey: options.targetKey }),
    ...(options.policy !== undefined && { defaultPolicy: parsePolicy(options.policy) }),
    ...(pairs.length > 0 && { fieldPolicies }),
    ...(options.clearFieldPolicies && { replaceFieldPolicies: true }),
    ...(guard !== undefined && { deactivationGuardPct: guard }),
    ...((options.schedule !== undefined || options.at !== undefined || options.tz !== undefined) && { cadence: parseCadence(options) }),
    ...(options.confirmLessAccess && { confirmLessAccess: true }),
  };
  const result = UpdateConnectionSchema.safeParse(input);
  if (!result.success) throw flagError(result.error);
  return input;
}
