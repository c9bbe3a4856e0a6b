import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

import type { TargetName } from '../activities/targets/registry.js';
import { POLICIES } from '../rules/three-way.js';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/** A row of a connection (or of a run, below), removed with it. */
const connectionRef = () => uuid('connection_id').notNull().references(() => connections.id, { onDelete: 'cascade' });
const runRef = () => uuid('run_id').notNull().references(() => syncRuns.id, { onDelete: 'cascade' });
/** One record of one dataset (of a run, or of a connection: the key of its links, snapshots, quarantine and conflicts). */
const datasetRecord = () => ({ dataset: text('dataset').notNull(), sourceId: text('source_id').notNull() });
const connectionRecord = () => ({ connectionId: connectionRef(), ...datasetRecord() });
const connectionRecordKey = (t: { connectionId: AnyPgColumn; dataset: AnyPgColumn; sourceId: AnyPgColumn }) =>
  primaryKey({ columns: [t.connectionId, t.dataset, t.sourceId] });

/** One company's link from a Lucca instance to one target app. Credentials are stored encrypted. */
export const connections = pgTable('connections', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** A target of the registry (activities/targets/registry.ts), checked where connections are made. Text, not an enum: a target is added without a migration. */
  target: text('target').$type<TargetName>().notNull(),
  luccaUrl: text('lucca_url').notNull(),
  luccaKeyEnc: text('lucca_key_enc').notNull(),
  targetUrl: text('target_url').notNull(),
  targetKeyEnc: text('target_key_enc').notNull(),
  active: boolean('active').notNull(),
  defaultPolicy: text('default_policy', { enum: POLICIES })
    .notNull()
    .default('lucca-wins'),
  fieldPolicies: jsonb('field_policies').$type<Record<string, string>>().notNull().default({}),
  deactivationGuardPct: integer('deactivation_guard_pct').notNull().default(10),
  /**
   * Which employees sync (rules/scope.ts ResolvedScopeSchema: what the operator wrote and the Lucca ids
   * it resolved to); null = every employee the key sees.
   */
  scope: jsonb('scope').$type<Record<string, unknown>>(),
  /** Extra Lucca fields mapped to target attributes (rules/field-mapping.ts FieldMappingsSchema). */
  fieldMappings: jsonb('field_mappings').$type<unknown[]>().notNull().default([]),
  /** Reflect: days between full re-reads of Lucca (which catch silent deletions); null = REFLECT_FULL_READ_DAYS. */
  fullReadDays: integer('full_read_days'),
  /**
   * Set by `connection remove`: the row stays so its runs, reports and links (what we wrote) stay
   * readable, but its keys are wiped, its schedule deleted and its name free for a new connection.
   */
  removedAt: timestamp('removed_at', { withTimezone: true }),
  /**
   * Hosts this connection alone may use besides LUCCA_ALLOWED_HOSTS (lib/lucca-url.ts). Only the demo
   * sets it, for its local simulators; `connection add` never does.
   */
  allowedHosts: jsonb('allowed_hosts').$type<string[]>().notNull().default([]),
  /** The customer company the connection belongs to: its HR admins see it in the console. Null: operators only. */
  company: text('company'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  // A name is unique among live connections only: a removed one frees it.
  uniqueIndex('connections_name_live_idx').on(t.name).where(sql`${t.removedAt} is null`),
]);

/** One sync of one connection (one workflow execution chain). */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    connectionId: connectionRef(),
    workflowId: text('workflow_id').notNull().unique(),
    trigger: text('trigger').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    status: text('status', { enum: ['running', 'completed', 'failed', 'cancelled', 'blocked'] })
      .notNull()
      .default('running'),
    phase: text('phase').notNull().default('starting'),
    fetchComplete: boolean('fetch_complete').notNull().default(false),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    message: text('message'),
    /**
     * What the Lucca key saw of the employees this run (counts only, rules/visibility.ts);
     * the visibility guard compares a run with the last completed one. Null: not counted (a Reflect
     * incremental read, or a run planned before this column).
     */
    visibility: jsonb('visibility').$type<Record<string, unknown>>(),
    /** A PII-free note from the plan (values the key could not see); the message of a completed run. */
    notice: text('notice'),
    /** The failure's stable code (lucca_unauthorized, …) when status is failed; health reads it. */
    failureCode: text('failure_code'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('sync_runs_connection_idx').on(t.connectionId, t.startedAt),
    // One run per connection at a time, whatever starts it: the row is the lock (db/queries/runs.ts).
    uniqueIndex('sync_runs_one_running_idx').on(t.connectionId).where(sql`${t.status} = 'running'`),
  ],
);

/** Records read during a run (from Lucca, and the target's current state), page by page. */
export const stagedRecords = pgTable(
  'staged_records',
  {
    runId: runRef(),
    ...datasetRecord(),
    page: integer('page').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.dataset, t.sourceId] })],
);

/** The plan and the report of a run: one line per affected record, with field diffs and outcome. */
export const reportLines = pgTable(
  'report_lines',
  {
    runId: runRef(),
    seq: integer('seq').notNull(),
    ...datasetRecord(),
    targetId: text('target_id'),
    action: text('action').notNull(),
    changes: jsonb('changes').$type<unknown[]>().notNull().default([]),
    /** Other actions that also apply to the record (the primary one is `action`). */
    also: jsonb('also').$type<string[]>().notNull().default([]),
    reasons: jsonb('reasons').$type<unknown[]>().notNull().default([]),
    /** What the write phase must do (writes, then the commit of links and snapshots); null to only report. */
    plan: jsonb('plan').$type<unknown>(),
    outcome: text('outcome', { enum: ['planned', 'applied', 'failed', 'skipped', 'reported'] })
      .notNull()
      .default('planned'),
    error: text('error'),
    /**
     * Write calls (applyChanges attempts) that left this line planned after it failed every send with
     * a transient error while HappyPal was up; at MAX_WRITE_CALLS (activities/targets/happypal/apply.ts) it is failed.
     */
    writeTries: integer('write_tries').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.seq] }),
    uniqueIndex('report_lines_record_idx').on(t.runId, t.dataset, t.sourceId),
    // The write phase takes the next planned lines in order, call after call: without this index each
    // call reads every line of the run (88,000 at 100,000 employees) to find them.
    index('report_lines_planned_idx').on(t.runId, t.seq).where(sql`${t.outcome} = 'planned'`),
  ],
);

/**
 * `outcome = 'planned'` as a literal, not a bound parameter: Postgres uses report_lines_planned_idx
 * only when it can see the partial index's predicate in the query.
 */
export const plannedOnly = sql`${reportLines.outcome} = 'planned'`;

/** Which target record a Lucca record is linked to, per connection. */
export const recordLinks = pgTable(
  'record_links',
  {
    ...connectionRecord(),
    targetId: text('target_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    connectionRecordKey(t),
    uniqueIndex('record_links_target_idx').on(t.connectionId, t.dataset, t.targetId),
  ],
);

/** The values we last wrote to the target (the "base" of the three-way check). */
export const snapshots = pgTable(
  'snapshots',
  {
    ...connectionRecord(),
    fields: jsonb('fields').$type<Record<string, string | null>>().notNull(),
    /** Target values kept on purpose (target-wins, or a conflict resolved for the target side). */
    kept: jsonb('kept').$type<Record<string, string | null>>().notNull().default({}),
    targetStatus: text('target_status'),
    runId: uuid('run_id'),
    updatedAt: updatedAt(),
  },
  (t) => [connectionRecordKey(t)],
);

/** Records that could not be synced; tried again every run until they pass. */
export const quarantine = pgTable(
  'quarantine',
  {
    ...connectionRecord(),
    reasons: jsonb('reasons').$type<unknown[]>().notNull(),
    lastRunId: uuid('last_run_id'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [connectionRecordKey(t)],
);

/** Field-level conflicts opened under the `review` policy; listed until resolved or converged. */
export const conflicts = pgTable(
  'conflicts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ...connectionRecord(),
    targetId: text('target_id'),
    field: text('field').notNull(),
    baseValue: text('base_value'),
    sourceValue: text('source_value'),
    targetValue: text('target_value'),
    status: text('status', { enum: ['open', 'resolved'] }).notNull().default('open'),
    resolution: text('resolution', { enum: ['lucca', 'target', 'converged'] }),
    openedRunId: uuid('opened_run_id'),
    lastSeenRunId: uuid('last_seen_run_id'),
    openedAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('conflicts_open_idx')
      .on(t.connectionId, t.dataset, t.sourceId, t.field)
      .where(sql`${t.status} = 'open'`),
  ],
);

/** Requests sent to a rate-limited API, shared by every worker process (sliding window). */
export const rateLimitEvents = pgTable(
  'rate_limit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bucket: text('bucket').notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('rate_limit_events_bucket_idx').on(t.bucket, t.at)],
);

/**
 * Reflect's read cursor per connection and dataset: where the next incremental read starts
 * (`since`: the read start of the last successful sync of that dataset) and when the last full
 * re-read ran. Moved forward only when a dataset's sync completes.
 */
export const datasetCursors = pgTable(
  'dataset_cursors',
  {
    connectionId: connectionRef(),
    dataset: text('dataset').notNull(),
    lastSince: timestamp('last_since', { withTimezone: true, precision: 3 }),
    lastFullReadAt: timestamp('last_full_read_at', { withTimezone: true, precision: 3 }),
    lastRunId: uuid('last_run_id'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.dataset] })],
);

/**
 * Who did what to which connection, and when: written by every command that changes a connection or
 * starts or decides something for it. `detail` is PII-free (which settings changed, counts, ids),
 * never a key or a person's value. No foreign key: the trail outlives a removed or deleted connection.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** `os:<user>` for the CLI, `account:<id>` for the console. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    connectionId: uuid('connection_id'),
    /** The name at the time (a connection can be renamed or removed since). */
    connectionName: text('connection_name'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_connection_idx').on(t.connectionId, t.at)],
);

/**
 * Each connection's health as the last fleet evaluation saw it (services/health.ts): the Prometheus
 * gauge reads it at scrape time. The CLI computes health live.
 */
export const connectionHealth = pgTable('connection_health', {
  connectionId: uuid('connection_id')
    .primaryKey()
    .references(() => connections.id, { onDelete: 'cascade' }),
  state: text('state').notNull(),
  cause: text('cause').notNull(),
  evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull(),
});

/** One problem of one connection, opened and resolved by the fleet evaluation (services/incidents.ts). */
export const incidents = pgTable(
  'incidents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: connectionRef(),
    /** A bad health condition: auth_error, failing, blocked, stale, degraded. */
    kind: text('kind').notNull(),
    /** Why, without personal data: a failure code, counts, dates. */
    cause: text('cause').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('incidents_open_idx').on(t.connectionId, t.kind).where(sql`${t.resolvedAt} is null`),
    index('incidents_opened_idx').on(t.openedAt),
  ],
);

/**
 * Where incidents are notified: a webhook, Slack or email; global (connection_id null) or for one
 * connection. Secrets (webhook signing secret, Slack URL, SMTP password) are encrypted in `secret_enc`.
 */
export const alertChannels = pgTable('alert_channels', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: ['webhook', 'slack', 'email'] }).notNull(),
  connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
  /** Non-secret settings (webhook URL, email addresses, SMTP host and port, user). */
  config: jsonb('config').$type<Record<string, string | number | boolean>>().notNull().default({}),
  secretEnc: text('secret_enc'),
  /** Channels declared in the environment (ALERT_*) are kept in step by the fleet evaluation. */
  fromEnv: boolean('from_env').notNull().default(false),
  createdAt: createdAt(),
});

/**
 * The outbox: one row per incident event and channel, written with the incident change, delivered
 * (with retries) by the fleet-health workflow, never by a sync. The unique index makes "once".
 */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: bigint('incident_id', { mode: 'number' })
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => alertChannels.id, { onDelete: 'cascade' }),
    event: text('event', { enum: ['opened', 'resolved'] }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notifications_once_idx').on(t.incidentId, t.channelId, t.event),
    index('notifications_pending_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** People who sign in to the console. Passwords are argon2id hashes (console/auth/passwords.ts). */
export const consoleUsers = pgTable('console_users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['operator', 'hr-admin', 'viewer'] }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Companies an HR admin or a viewer may see (operators see every company). */
export const consoleUserCompanies = pgTable(
  'console_user_companies',
  {
    userId: uuid('user_id').notNull().references(() => consoleUsers.id, { onDelete: 'cascade' }),
    company: text('company').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.company] })],
);

/** Console sessions: the cookie holds a random token, the table only its SHA-256. */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id').notNull().references(() => consoleUsers.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('console_sessions_user_idx').on(t.userId)],
);

/**
 * The console's setup wizard between its steps: what was typed so far, keys included, encrypted
 * with CREDENTIALS_KEY as a whole (never sent back to the browser). One per session, gone with it
 * (sign-out, expiry) or when the setup is saved or discarded. `connectionId` is the inactive
 * connection the preview (a dry run) was made on, until the setup is saved.
 */
export const consoleSetupDrafts = pgTable('console_setup_drafts', {
  sessionHash: text('session_hash').primaryKey().references(() => consoleSessions.tokenHash, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => consoleUsers.id, { onDelete: 'cascade' }),
  dataEnc: text('data_enc').notNull(),
  connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'set null' }),
  previewRunId: uuid('preview_run_id'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
