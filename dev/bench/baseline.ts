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
 * quarantine table, heartbeats, retries and resumability. Everything is held in memory; links,
 * snapshots and conflicts are committed by the product's own commit (db/queries/writes.ts
 * commitWrittenRecords), one transaction per 1,000 answered records; its report-line statements
 * find no line here (the baseline keeps no report).
 *
 * Prints one line `BASELINE_RESULT {json}` on stdout.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createDispatcher } from '../../activities/http/http.js';
import { sourceIdOf } from '../../activities/http/fetch-loop.js';
import { createHappyPalClient } from '../../activities/targets/happypal/client.js';
import type { HappyPalUser } from '../../activities/targets/happypal/schemas.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { HAPPYPAL_USER_FIELDS, LUCCA_PAGE_LIMIT } from '../../activities/lucca/schemas.js';
import { createPostgresRateLimiter, unlimited } from '../../activities/http/rate-limiter.js';
import type { PlannedWrite } from '../../activities/targets/happypal/plan-model.js';
import { planRecords, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { writePlannedLine } from '../../activities/targets/happypal/write-planned-line.js';
import { COMMIT_BATCH as COMMIT_CHUNK, CONCURRENCY } from '../../activities/targets/happypal/apply.js';
import { TARGET_PAGE_SIZE } from '../../activities/targets/happypal/fetch.js';
import { EMPLOYEES } from '../../activities/targets/happypal/plan.js';
import { runPool } from '../../activities/write-pipeline/index.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { findConnectionById } from '../../db/queries/connections.js';
import { linksOf, openConflictFields, snapshotsOf } from '../../db/queries/plan.js';
import { commitWrittenRecords, type RefusedLine, type WrittenRecord } from '../../db/queries/writes.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { validateLuccaUrl } from '../../lib/lucca-url.js';


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
    const connection = await findConnectionById(db.db, input.connectionId);
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
    const scope = { connectionId: connection.id, dataset: EMPLOYEES };
    const [links, snaps, openConflicts] = await Promise.all([linksOf(db.sql, scope), snapshotsOf(db.sql, scope), openConflictFields(db.sql, connection.id)]);
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

    // Writes: same client, same keys, same concurrency; the product's commit, in chunks of COMMIT_CHUNK.
    const todo = plan.lines
      .map((line, seq) => ({ ...line, seq }))
      .filter((l): l is PlannedLine & { seq: number; plan: PlannedWrite } => l.outcome === 'planned' && l.plan !== null);
    let written: WrittenRecord[] = [];
    let refused: RefusedLine[] = [];
    let committing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = { written, refused };
      written = [];
      refused = [];
      committing = committing.then(() => commitWrittenRecords(db.sql, { ...scope, runId }, batch.written, batch.refused));
    };
    await runPool(todo, {
      concurrency: CONCURRENCY,
      work: async (line) => {
        const result = await writePlannedLine(happypal, { connectionId: connection.id, runId }, line, line.plan);
        if ('targetId' in result) {
          counts.written = (counts.written ?? 0) + 1;
          written.push({ seq: line.seq, sourceId: line.sourceId, targetId: result.targetId, commit: line.plan.commit });
        } else {
          counts.rejected = (counts.rejected ?? 0) + 1;
          refused.push({ seq: line.seq, action: line.action, also: line.also, message: result.message });
        }
        if (written.length + refused.length >= COMMIT_CHUNK) flush();
      },
    });
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
