/**
 * The benchmark's BASELINE: the same HappyPal sync done as directly as possible, with no Temporal.
 *
 *   node --import tsx dev/bench/baseline.ts '<json input>'     (dev/bench/run.ts spawns it per case)
 *
 * Same reads (every Lucca users page with the same client and fields; every HappyPal users page with
 * the same client), the same conflict check (the pure `planRecords`, fed with the links, snapshots
 * and open conflicts of its connection in the same database), the same writes (same HappyPal client,
 * same idempotency keys, same concurrency of 16) and the same bookkeeping of links and snapshots in
 * the same database. What it leaves out on purpose: staging rows, report lines, the run row, the
 * quarantine table, heartbeats, retries and resumability. Everything is held in memory; links and
 * snapshots are committed in multi-row upserts, one transaction per 1,000 written records.
 *
 * Prints one line `BASELINE_RESULT {json}` on stdout.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { and, eq, sql } from 'drizzle-orm';
import { createDispatcher } from '../../activities/http/http.js';
import { createHappyPalClient } from '../../activities/targets/happypal/client.js';
import type { HappyPalUser } from '../../activities/targets/happypal/schemas.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { HAPPYPAL_USER_FIELDS, LUCCA_PAGE_LIMIT } from '../../activities/lucca/schemas.js';
import { createPostgresRateLimiter, unlimited } from '../../activities/http/rate-limiter.js';
import type { PlannedWrite } from '../../activities/targets/happypal/plan-model.js';
import { planRecords, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { writePlannedLine } from '../../activities/targets/happypal/write-planned-line.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { conflicts, connections, recordLinks, snapshots } from '../../db/schema.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { validateLuccaUrl } from '../../lib/lucca-url.js';

const EMPLOYEES = 'employees';
const CONCURRENCY = 16;
const TARGET_PAGE_SIZE = 1000;
const COMMIT_CHUNK = 1000;

export interface BaselineInput {
  databaseUrl: string;
  connectionId: string;
  /** Base64 of the 32-byte key the connection's credentials were encrypted with. */
  credentialsKey: string;
  today: string;
  /** Lucca requests per minute for our limiter (0: off), as LUCCA_RATE_LIMIT_PER_MINUTE. */
  luccaRateLimitPerMinute: number;
}

export interface BaselineResult {
  ms: number;
  phases: Record<string, number>;
  read: number;
  targets: number;
  counts: Record<string, number>;
  maxRssKb: number;
}

/** A record's id as Lucca sent it (same rule as activities/targets/happypal/fetch.ts). */
function sourceIdOf(item: unknown, position: number): string {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).id;
    if (typeof id === 'number' || (typeof id === 'string' && id.length > 0 && id.length < 64)) return String(id);
  }
  return `malformed-at-${position}`;
}

interface Written {
  line: PlannedLine;
  plan: PlannedWrite;
  targetId: string;
}

/** A database pool and HTTP dispatcher shared by many baseline syncs in one process (the fleet baseline). */
export interface BaselineShared {
  db: DbHandle;
  dispatcher: ReturnType<typeof createDispatcher>;
}

export async function runBaseline(input: BaselineInput, shared?: BaselineShared): Promise<BaselineResult> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = now - mark;
    mark = now;
  };

  const db = shared?.db ?? createDb(input.databaseUrl, { max: 10 });
  const dispatcher = shared?.dispatcher ?? createDispatcher();
  try {
    const cipher = createCredentialCipher(Buffer.from(input.credentialsKey, 'base64'));
    const [connection] = await db.db.select({
      id: connections.id, luccaUrl: connections.luccaUrl, luccaKeyEnc: connections.luccaKeyEnc, targetUrl: connections.targetUrl,
      targetKeyEnc: connections.targetKeyEnc, defaultPolicy: connections.defaultPolicy, fieldPolicies: connections.fieldPolicies,
      deactivationGuardPct: connections.deactivationGuardPct,
    }).from(connections).where(eq(connections.id, input.connectionId));
    if (!connection) throw new Error(`connection ${input.connectionId} not found`);
    const runId = randomUUID();
    const lucca = createLuccaClient({
      baseUrl: validateLuccaUrl(connection.luccaUrl, ['127.0.0.1']),
      apiKey: cipher.decrypt(connection.luccaKeyEnc),
      dispatcher,
      limiter: input.luccaRateLimitPerMinute > 0 ? createPostgresRateLimiter(db.sql, input.luccaRateLimitPerMinute) : unlimited,
    });
    const happypal = createHappyPalClient({ baseUrl: connection.targetUrl, apiKey: cipher.decrypt(connection.targetKeyEnc), dispatcher });

    // Reads: Lucca, every page (deduplicated by id like the staging table's key).
    const sources = new Map<string, { sourceId: string; data: unknown }>();
    for (let offset = 0; ; ) {
      const page = await lucca.listUsers({ offset, fields: HAPPYPAL_USER_FIELDS, formerEmployees: true });
      page.items.forEach((item, i) => {
        const sourceId = sourceIdOf(item, offset + i);
        if (!sources.has(sourceId)) sources.set(sourceId, { sourceId, data: item });
      });
      offset += page.items.length;
      if (page.items.length < LUCCA_PAGE_LIMIT) break;
    }
    phase('readLucca');
    const targets: HappyPalUser[] = [];
    for (let page = 1; ; ) {
      const list = await happypal.listUsers(page, TARGET_PAGE_SIZE);
      targets.push(...list.data);
      if (list.meta.next_page === null) break;
      page = list.meta.next_page;
    }
    phase('readHappyPal');

    // The conflict check: same pure function, same inputs from the same tables.
    const scope = (table: typeof recordLinks | typeof snapshots) => and(eq(table.connectionId, connection.id), eq(table.dataset, EMPLOYEES));
    const [links, snaps, openConflicts] = await Promise.all([
      db.db.select().from(recordLinks).where(scope(recordLinks)),
      db.db.select().from(snapshots).where(scope(snapshots)),
      db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, connection.id), eq(conflicts.status, 'open'))),
    ]);
    phase('loadDb');
    const plan = planRecords({
      connectionId: connection.id,
      today: input.today,
      sources: [...sources.values()],
      targets,
      links,
      snapshots: snaps,
      openConflicts,
      defaultPolicy: connection.defaultPolicy,
      fieldPolicies: connection.fieldPolicies,
      guardPct: connection.deactivationGuardPct,
      confirmDeactivations: false,
    });
    phase('plan');

    const counts: Record<string, number> = { written: 0, rejected: 0 };
    for (const line of plan.lines) counts[line.action] = (counts[line.action] ?? 0) + 1;
    if (plan.blockedReason) throw new Error(`baseline blocked: ${plan.blockedReason}`);

    // Writes: same client, same keys, same concurrency; commits in multi-row chunks.
    const todo = plan.lines.filter((l): l is PlannedLine & { plan: PlannedWrite } => l.outcome === 'planned' && l.plan !== null);
    let pending: Written[] = [];
    let committing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = pending;
      pending = [];
      committing = committing.then(() => commitBatch(db, connection.id, runId, batch));
    };
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const line = todo[next++] as PlannedLine & { plan: PlannedWrite };
        const result = await writePlannedLine(happypal, { connectionId: connection.id, runId }, line, line.plan);
        if ('targetId' in result) {
          counts.written = (counts.written ?? 0) + 1;
          pending.push({ line, plan: line.plan, targetId: result.targetId });
          if (pending.length >= COMMIT_CHUNK) flush();
        } else {
          counts.rejected = (counts.rejected ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
    flush();
    await committing;
    phase('write');
    return {
      ms: performance.now() - started,
      phases,
      read: sources.size,
      targets: targets.length,
      counts,
      maxRssKb: process.resourceUsage().maxRSS,
    };
  } finally {
    if (!shared) {
      await dispatcher.close();
      await db.close();
    }
  }
}

/**
 * The fleet baseline (`npm run bench:fleet`): `runBaseline` for many connections, `concurrency` of
 * them at a time, in one process with one pool and one dispatcher, as a plain script serving a
 * publisher's fleet would. Each connection's sync is exactly the single-company baseline above.
 */
export interface BaselineFleetInput extends Omit<BaselineInput, 'connectionId'> {
  connectionIds: string[];
  concurrency: number;
}

export interface BaselineFleetResult {
  ms: number;
  /** Per connection, in input order: start and end offsets from the fleet's start (ms), and its result. */
  syncs: { connectionId: string; startMs: number; endMs: number; read: number; counts: Record<string, number> }[];
  /** CPU time of this process (user + system), ms. */
  cpuMs: number;
  maxRssKb: number;
}

export async function runBaselineFleet(input: BaselineFleetInput): Promise<BaselineFleetResult> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const shared: BaselineShared = { db: createDb(input.databaseUrl, { max: 20 }), dispatcher: createDispatcher() };
  const syncs: BaselineFleetResult['syncs'] = [];
  try {
    let next = 0;
    const lane = async () => {
      while (next < input.connectionIds.length) {
        const connectionId = input.connectionIds[next++] as string;
        const startMs = performance.now() - started;
        const result = await runBaseline({ ...input, connectionId }, shared);
        syncs.push({ connectionId, startMs, endMs: performance.now() - started, read: result.read, counts: result.counts });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, input.connectionIds.length)) }, lane));
  } finally {
    await shared.dispatcher.close();
    await shared.db.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - started, syncs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS };
}

/** Links, snapshots (new base or status only) and conflicts of a batch of written records, in one transaction. */
async function commitBatch(db: DbHandle, connectionId: string, runId: string, batch: Written[]): Promise<void> {
  if (batch.length === 0) return;
  const now = new Date();
  const links = batch.filter((w) => w.plan.commit.link).map((w) => ({ connectionId, dataset: EMPLOYEES, sourceId: w.line.sourceId, targetId: w.targetId }));
  const snaps = batch.filter((w) => w.plan.commit.snapshot).map((w) => ({
    connectionId, dataset: EMPLOYEES, sourceId: w.line.sourceId, fields: w.plan.commit.snapshot as Record<string, string | null>,
    kept: w.plan.commit.kept, targetStatus: w.plan.commit.status, runId, updatedAt: now,
  }));
  const statusOnly = batch.filter((w) => !w.plan.commit.snapshot && w.plan.commit.status);
  const opened = batch.flatMap((w) => w.plan.commit.openConflicts.map((f) => ({
    connectionId, dataset: EMPLOYEES, sourceId: w.line.sourceId, targetId: w.targetId, field: f.field, baseValue: f.base,
    sourceValue: f.source, targetValue: f.target, openedRunId: runId, lastSeenRunId: runId,
  })));
  const closed = batch.flatMap((w) => w.plan.commit.closeConflicts.map((field) => ({ sourceId: w.line.sourceId, field })));
  await db.db.transaction(async (tx) => {
    if (links.length > 0) {
      await tx.insert(recordLinks).values(links).onConflictDoUpdate({
        target: [recordLinks.connectionId, recordLinks.dataset, recordLinks.sourceId], set: { targetId: sql`excluded.target_id` },
      });
    }
    if (snaps.length > 0) {
      await tx.insert(snapshots).values(snaps).onConflictDoUpdate({
        target: [snapshots.connectionId, snapshots.dataset, snapshots.sourceId],
        set: { fields: sql`excluded.fields`, kept: sql`excluded.kept`, targetStatus: sql`excluded.target_status`, runId: sql`excluded.run_id`, updatedAt: sql`excluded.updated_at` },
      });
    }
    if (statusOnly.length > 0) {
      await tx.execute(sql`update snapshots s set target_status = u.status, run_id = ${runId}, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(statusOnly.map((w) => ({ source_id: w.line.sourceId, status: w.plan.commit.status })))}::jsonb) as u(source_id text, status text)
        where s.connection_id = ${connectionId} and s.dataset = ${EMPLOYEES} and s.source_id = u.source_id`);
    }
    if (opened.length > 0) {
      await tx.insert(conflicts).values(opened).onConflictDoUpdate({
        target: [conflicts.connectionId, conflicts.dataset, conflicts.sourceId, conflicts.field],
        targetWhere: sql`${conflicts.status} = 'open'`,
        set: { sourceValue: sql`excluded.source_value`, targetValue: sql`excluded.target_value`, lastSeenRunId: sql`excluded.last_seen_run_id` },
      });
    }
    if (closed.length > 0) {
      await tx.execute(sql`update conflicts c set status = 'resolved', resolution = 'converged', resolved_at = now()
        from jsonb_to_recordset(${JSON.stringify(closed.map((c) => ({ source_id: c.sourceId, field: c.field })))}::jsonb) as u(source_id text, field text)
        where c.connection_id = ${connectionId} and c.status = 'open' and c.source_id = u.source_id and c.field = u.field`);
    }
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const raw = process.argv[2];
  if (!raw) {
    process.stderr.write('usage: node --import tsx dev/bench/baseline.ts \'{"databaseUrl": …, "connectionId": …, …}\'\n');
    process.exit(2);
  }
  const parsed = JSON.parse(raw) as BaselineInput | BaselineFleetInput;
  const run = 'connectionIds' in parsed ? runBaselineFleet(parsed) : runBaseline(parsed);
  run.then(
    (result) => process.stdout.write(`BASELINE_RESULT ${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`baseline failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
