import { z } from '@hono/zod-openapi';
import { HEALTH_STATES } from '../seams.js';
import { TargetNameSchema } from '../../activities/targets/registry.js';
import { PolicySchema } from '../../rules/three-way.js';
// The console_users.role column's enum, derived by drizzle-zod (one definition).
import { RoleSchema } from '../../db/queries/console-auth.js';

/** The API's contract: request and response shapes, published at /api/openapi.json. */
export const ErrorSchema = z.object({ error: z.string() }).openapi('Error');
const Counts = z.record(z.string(), z.number());
const Time = z.string().nullable();

export const SessionSchema = z.object({
  email: z.string(), role: RoleSchema, companies: z.array(z.string()), csrfToken: z.string(),
}).openapi('Session');
export const LoginSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) }).openapi('Login');

const RunSummary = z.object({
  id: z.string(), status: z.string(), phase: z.string(), trigger: z.string(), dryRun: z.boolean(), counts: Counts,
  startedAt: z.string(), finishedAt: Time, durationSeconds: z.number().nullable(),
}).openapi('RunSummary');

export const ConnectionListSchema = z.object({
  temporal: z.enum(['ok', 'unavailable']),
  connections: z.array(z.object({
    name: z.string(), target: TargetNameSchema, company: z.string().nullable(), active: z.boolean(),
    health: z.enum(HEALTH_STATES).nullable(),
    lastRun: z.object({ id: z.string(), status: z.string().nullable(), startedAt: Time, finishedAt: Time, counts: Counts }).nullable(),
    schedule: z.enum(['running', 'paused', 'none', 'unknown']), nextRun: Time, openConflicts: z.number(), quarantined: z.number(),
  })),
}).openapi('ConnectionList');

export const ConnectionSchema = z.object({
  name: z.string(), target: TargetNameSchema, company: z.string().nullable(), active: z.boolean(),
  luccaUrl: z.string(), luccaKey: z.string().openapi({ description: 'masked: never the key' }), targetUrl: z.string(),
  targetKey: z.string().openapi({ description: 'masked: never the key' }),
  defaultPolicy: z.string(), fieldPolicies: z.record(z.string(), z.string()), deactivationGuardPct: z.number(),
  config: z.object({
    scope: z.string().openapi({ description: 'which employees sync (legal entities, establishments, departments by name and id)' }),
    mappings: z.array(z.string()).openapi({ description: 'extra Lucca fields mapped to target attributes: source → attribute (type; transforms; policy)' }),
  }).openapi({ description: 'read-only here: `lucca-sync connection scope|mappings` changes them' }),
  schedule: z.object({ state: z.enum(['running', 'paused', 'none', 'unknown']), cadence: z.string().nullable(), note: z.string().nullable(), nextRuns: z.array(z.string()) }),
  runs: z.array(RunSummary),
  datasets: z.array(z.object({ dataset: z.string(), status: z.string().nullable(), counts: Counts, lastSyncedAt: Time, lastFullReadAt: Time })),
  audit: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), connectionId: z.string(), detail: z.string().optional() })),
}).openapi('Connection');

export const RunsSchema = z.array(RunSummary);
export const RunSchema = RunSummary.extend({
  connection: z.string(), target: z.string(), company: z.string().nullable(), workflowId: z.string(), message: z.string().nullable(), fetchComplete: z.boolean(),
}).openapi('Run');
export const ProgressSchema = z.object({
  status: z.string(), live: z.boolean(),
  progress: z.object({ runId: z.string().nullable(), phase: z.string(), pagesDone: z.number(), counts: Counts, datasets: z.record(z.string(), z.unknown()).optional() }).nullable(),
}).openapi('Progress');

const Change = z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable(), source: z.string().nullable().optional(), note: z.string().optional() });
export const ReportPageSchema = z.object({
  total: z.number(), next: z.number().nullable().openapi({ description: 'pass as `after` for the next page; null on the last page' }),
  lines: z.array(z.object({
    seq: z.number(), dataset: z.string(), sourceId: z.string(), targetId: z.string().nullable(), action: z.string(), also: z.array(z.string()),
    outcome: z.string(), changes: z.array(Change), reasons: z.array(z.object({ code: z.string(), field: z.string().optional(), message: z.string() })), error: z.string().nullable(),
  })),
}).openapi('ReportPage');
export const ReportQuerySchema = z.object({
  after: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().regex(/^[a-z_]{1,40}$/, 'an action such as created, updated, conflict').optional(),
  q: z.string().max(200).optional(),
});

export const ConflictsSchema = z.array(z.object({
  id: z.number(), connection: z.string(), target: z.string(), dataset: z.string(), sourceId: z.string(), targetId: z.string().nullable(),
  field: z.string(), base: z.string().nullable(), lucca: z.string().nullable(), targetValue: z.string().nullable(), openedAt: z.string(),
})).openapi('Conflicts');
export const ResolveSchema = z.object({
  picks: z.array(z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), keep: z.enum(['lucca', 'target']) })).min(1).max(500),
}).openapi('Resolve');
export const ResolvedSchema = z.object({ resolved: z.array(z.object({ id: z.number(), field: z.string(), keep: z.enum(['lucca', 'target']) })) });

export const QuarantineSchema = z.array(z.object({
  connection: z.string(), target: z.string(), dataset: z.string(), sourceId: z.string(),
  reasons: z.array(z.object({ code: z.string(), field: z.string().nullable(), message: z.string() })), fix: z.string(), firstSeenAt: z.string(), lastSeenAt: z.string(),
})).openapi('Quarantine');

export const NameParam = z.object({ name: z.string().min(1).max(100).openapi({ param: { name: 'name', in: 'path' } }) });
export const IdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' } }) });
export const ListQuery = z.object({
  target: TargetNameSchema.optional(),
  q: z.string().max(100).optional(),
  health: z.enum(HEALTH_STATES).optional(),
});
export const ConnectionQuery = z.object({ connection: z.string().max(100).optional() });
export const PauseSchema = z.object({ reason: z.string().max(200).regex(/^[^\u0000-\u001f]*$/, 'one line of text without control characters').optional() });
export const OkSchema = z.object({ ok: z.literal(true), message: z.string() });

// ---------------------------------------------------------------------------- setup, relink, policy

const CheckLine = z.object({ level: z.enum(['ok', 'warn', 'fail']), text: z.string() });
const ReportLine = ReportPageSchema.shape.lines.element;
const Policy = PolicySchema;
const Field = z.enum(['firstName', 'lastName', 'email', 'birthDate', 'contractStart', 'contractEnd']);
const Cadence = z.union([
  z.object({ kind: z.literal('daily'), hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59), timezone: z.string().max(64) }),
  z.object({ kind: z.literal('every-4h') }),
]);
const Settings = z.object({
  name: z.string().max(100), company: z.string().max(100).nullable(), defaultPolicy: Policy, fieldPolicies: z.partialRecord(Field, Policy),
  deactivationGuardPct: z.number().int().min(0).max(100), cadence: Cadence,
});
const Key = z.string().max(4096).openapi({ description: 'an API key: sent once, stored encrypted, never answered back' });

export const SetupViewSchema = z.object({
  steps: z.object({ lucca: z.boolean(), target: z.boolean(), settings: z.boolean(), preview: z.boolean() }),
  lucca: z.object({ url: z.string().nullable(), keyKept: z.boolean(), lines: z.array(CheckLine), usable: z.boolean().nullable() }),
  target: z.object({ target: TargetNameSchema.nullable(), url: z.string().nullable(), keyKept: z.boolean(), lines: z.array(CheckLine), usable: z.boolean().nullable() }),
  settings: Settings.nullable(),
  companies: z.array(z.string()).nullable().openapi({ description: 'companies the user may set up for; null: any (operator)' }),
  connection: z.string().nullable().openapi({ description: 'the inactive connection the preview was made on, until saved' }),
  preview: z.object({
    runId: z.string(), status: z.string(), finished: z.boolean(), message: z.string().nullable(), counts: Counts,
    samples: z.array(z.object({ action: z.string(), total: z.number(), lines: z.array(ReportLine) })),
  }).nullable(),
}).openapi('SetupView');
export const SetupLuccaSchema = z.strictObject({
  luccaUrl: z.string().min(1).max(300), luccaKey: Key.optional().openapi({ description: 'omit to keep the key tested before' }),
}).openapi('SetupLucca');
export const SetupTargetSchema = z.strictObject({
  target: TargetNameSchema, targetUrl: z.string().max(300).optional(), targetKey: Key.optional(),
}).openapi('SetupTarget');
export const SetupSettingsSchema = Settings.strict().openapi('SetupSettings');
export const SetupSavedSchema = z.object({ name: z.string(), active: z.boolean(), message: z.string() }).openapi('SetupSaved');

export const RelinkSchema = z.strictObject({
  luccaKey: Key.optional(), targetKey: Key.optional(),
  confirmLessAccess: z.boolean().optional().openapi({ description: 'accept a Lucca key that sees less than the current one' }),
}).openapi('Relink');
export const RelinkedSchema = z.object({
  changed: z.array(z.string()), lessAccess: z.array(z.string()), luccaCheck: z.array(CheckLine).nullable(), targetCheck: z.array(CheckLine).nullable(),
}).openapi('Relinked');
export const PolicyInputSchema = z.strictObject({
  defaultPolicy: Policy.optional(),
  fieldPolicies: z.partialRecord(Field, Policy.nullable()).optional().openapi({ description: "a field's policy; null drops it (the default applies)" }),
  deactivationGuardPct: z.number().int().min(0).max(100).optional(),
}).openapi('PolicyInput');
export const ChangedSchema = z.object({ changed: z.array(z.string()) });
export const ActionDoneSchema = OkSchema.extend({ runId: z.string().optional().openapi({ description: 'the run a full resync started' }) });
