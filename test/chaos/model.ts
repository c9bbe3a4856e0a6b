/**
 * Model-based convergence runs: a seeded random sequence of steps, each made of Lucca changes
 * (hires, renames, email changes, contract ends, rehires, removals), HappyPal hand edits and
 * injected faults (Lucca 500s / 429s / cut bodies, HappyPal 429s / 500s / writes lost after their
 * commit), followed by a real sync (real Temporal, real Postgres, the simulators). After every sync,
 * HappyPal must hold exactly what the independent oracle (oracle.ts) predicts, with no duplicate
 * profile, and the run's report counts must equal the oracle's. A failure names the seed and the step.
 *
 * Used by test/integration/convergence.test.ts (fixed seeds) and test/chaos/soak.ts (many seeds).
 */
import { and, eq } from 'drizzle-orm';
import type { HappyPalEditableField, HappyPalUser } from '../../activities/targets/happypal/schemas.js';
import { conflicts, connections } from '../../db/schema.js';
import type { Company } from '../../dev/simulators/data/company.js';
import { changeEmail, endContract, hire, rehire, remove, rename, update } from '../../dev/simulators/data/mutations.js';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from '../../dev/simulators/data/names.js';
import { HappyPalStateError } from '../../dev/simulators/happypal/server.js';
import { createRng, pick, type Rng } from '../../dev/simulators/shared/rng.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import type { ChaosHarness } from '../support/chaos.js';
import { COUNTED, FIELDS, SyncOracle, TARGET_FIELD, type Field, type Policy, type Prediction, type SourceRecord } from './oracle.js';

export interface ModelConfig {
  seed: number;
  /** Employees of the generated company (the harness is made with it; recorded here for replays). */
  employees: number;
  policy: Policy;
  fieldPolicies?: Partial<Record<Field, Policy>>;
  /** Syncs after the first one. */
  steps: number;
  /** Share of steps that run under injected faults. */
  faultRate?: number;
  /** Every how many steps (about) a mass departure tests the deactivation guard; 0 = never. */
  massDepartureEvery?: number;
  /** Share of steps where the operator switches the connection's default policy. */
  policySwitchRate?: number;
  log?: (line: string) => void;
  /** Stop after the step that passes this time (epoch ms): keeps a soak bounded. */
  deadline?: number;
  /**
   * Resyncs read incrementally (the connection's full read every 7 days, as in production): the model
   * works out, from Lucca's own data, which employees each run reads (modified since the last
   * successful run started, less 5 minutes; contracts ended since two days before it; those the last run
   * could not settle) and the oracle predicts from those alone. Otherwise every run reads everything.
   */
  incremental?: boolean;
}

export interface ModelStats {
  syncs: number;
  blocked: number;
  recordsChecked: number;
  /** Fault switches turned on, and fault answers the simulators actually gave. */
  faultSwitches: number;
  faultAnswers: number;
  luccaChanges: number;
  handEdits: number;
  /** Syncs that read incrementally (ModelConfig.incremental), and their full reads after the first. */
  incrementalReads?: number;
  laterFullReads?: number;
}

export const emptyStats = (): ModelStats => ({ syncs: 0, blocked: 0, recordsChecked: 0, faultSwitches: 0, faultAnswers: 0, luccaChanges: 0, handEdits: 0 });

/** The command that replays a model run exactly (same seed, same knobs). */
export function replayCommand(config: ModelConfig): string {
  const parts = [
    `npm run soak -- --seed ${config.seed} --policy ${config.policy}`,
    config.fieldPolicies ? `--fields '${JSON.stringify(config.fieldPolicies)}'` : '',
    `--steps ${config.steps} --employees ${config.employees} --fault-rate ${config.faultRate ?? DEFAULT_FAULT_RATE}`,
    `--mass-every ${config.massDepartureEvery ?? 0} --switch-rate ${config.policySwitchRate ?? 0}${config.incremental ? ' --incremental' : ''} --verbose`,
  ];
  return parts.filter(Boolean).join(' ');
}

const DEFAULT_FAULT_RATE = 0.35;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const FULL_READ_DAYS = 7;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

class ModelFailure extends Error {
  override name = 'ModelFailure';
}

/** Runs one seeded model against a fresh harness (its company is the starting Lucca data). */
export async function runModel(h: ChaosHarness, config: ModelConfig, stats: ModelStats = emptyStats()): Promise<ModelStats> {
  const rng = createRng(config.seed);
  const company = h.lucca.sim.company('demo');
  const oracle = new SyncOracle();
  const { id: connectionId } = await h.addConnection({
    defaultPolicy: config.policy, fieldPolicies: config.fieldPolicies ?? {}, fullReadDays: config.incremental ? FULL_READ_DAYS : 0,
  });
  // What the connection's read cursor holds, worked out independently (model clock, like deps.now).
  const read = { lastSince: null as number | null, lastFull: null as number | null, settingsChanged: false, quarantined: new Set<string>(), ambiguous: new Set<string>() };
  let policy = config.policy;
  const log = config.log ?? (() => undefined);
  let counter = 0;
  const unique = () => `${config.seed.toString(36)}${(counter++).toString(36)}`;

  const where = (step: number, done: string[]) =>
    `seed ${config.seed}, policy ${config.policy}${policy !== config.policy ? ` (now ${policy})` : ''}${config.fieldPolicies ? ` ${JSON.stringify(config.fieldPolicies)}` : ''}, step ${step} [${done.join('; ')}]`;

  return h.withWorker(async () => {
    // Before the first sync: profiles already on HappyPal for a few employees (attached, not duplicated).
    const done: string[] = [];
    for (const user of pickValid(company, rng, 2, (u) => isCurrent(u, company.clock.today()))) {
      const created = h.happypal.state.seedUser({
        first_name: `${user.firstName}-Avant`, last_name: user.lastName ?? 'X', email: `  ${user.mail.toUpperCase()} `,
        birth_date: null, status: rng() < 0.5 ? 'active' : 'inactive', by: 'hr',
      });
      oracle.seedProfile(created.id, fieldsOf(created), created.status);
      done.push(`seed HappyPal profile for ${user.id}`);
    }
    await syncAndCheck(0, done);

    for (let step = 1; step <= config.steps && Date.now() < (config.deadline ?? Infinity); step++) {
      company.clock.advance(DAY);
      const today = company.clock.today();
      const actions: string[] = [];
      const mass = (config.massDepartureEvery ?? 0) > 0 && step % (config.massDepartureEvery as number) === 0;
      if (mass) {
        // More departures than the guard lets through: the run must stop before writing, then pass when confirmed.
        const linked = oracle.linkedCount();
        const leaving = pickValid(company, rng, Math.ceil(linked * 0.15) + 1, (u) => oracle.profileOf(String(u.id))?.status === 'active');
        for (const u of leaving) remove(company, u.id);
        actions.push(`mass departure of ${leaving.length}`);
      }
      for (let n = Math.floor(rng() * 5); n > 0; n--) actions.push(luccaChange(h, company, rng, today, unique, oracle));
      if (rng() < (config.policySwitchRate ?? 0)) {
        policy = pick(rng, (['lucca-wins', 'target-wins', 'review'] as const).filter((p) => p !== policy));
        await h.db.db.update(connections).set({ defaultPolicy: policy, updatedAt: new Date() }).where(eq(connections.id, connectionId));
        read.settingsChanged = true;
        actions.push(`operator policy ${policy}`);
      }
      for (let n = Math.floor(rng() * 4); n > 0; n--) {
        const edit = handEdit(h, oracle, rng, unique);
        if (edit) actions.push(edit);
      }
      stats.luccaChanges += actions.filter((a) => a.startsWith('lucca')).length;
      stats.handEdits += actions.filter((a) => a.startsWith('hand')).length;
      if (rng() < (config.faultRate ?? DEFAULT_FAULT_RATE)) actions.push(...injectFaults(h, rng, stats));
      await syncAndCheck(step, actions);
      h.lucca.sim.faults.clear();
      h.happypal.faults.clear();
    }
    return stats;
  });

  async function syncAndCheck(step: number, actions: string[]): Promise<void> {
    log(`${where(step, actions)}`);
    const before = faultAnswers(h);
    const now = company.clock.now();
    const today = company.clock.today();
    const full = !config.incremental || read.lastSince === null || read.lastFull === null || read.settingsChanged ||
      now - read.lastFull >= FULL_READ_DAYS * DAY - HOUR || read.lastSince > now;
    let sources = sourcesOf(company);
    if (!full) {
      const since = (read.lastSince as number) - 5 * 60_000;
      const endedFrom = new Date((read.lastSince as number) - 2 * DAY).toISOString().slice(0, 10);
      const inConflict = new Set([...oracle.conflicts.keys()].map((k) => k.split(':')[0]));
      sources = sources.filter(({ sourceId }) => {
        const u = company.byId.get(Number(sourceId)) as User;
        return u.modifiedAt >= since || (u.dtContractEnd !== null && u.dtContractEnd >= endedFrom && u.dtContractEnd <= today) ||
          read.quarantined.has(sourceId) || read.ambiguous.has(sourceId) || inConflict.has(sourceId);
      });
      actions.push(`incremental read of ${sources.length}`);
      stats.incrementalReads = (stats.incrementalReads ?? 0) + 1;
    } else if (config.incremental) {
      actions.push('full read');
      if (read.lastFull !== null) stats.laterFullReads = (stats.laterFullReads ?? 0) + 1;
    }
    const options = { today, policy, incremental: !full, ...(config.fieldPolicies && { fieldPolicies: config.fieldPolicies }) };
    const settle = (p: Prediction) => {
      if (p.status !== 'completed') return;
      read.lastSince = now;
      if (full) read.lastFull = now;
      read.settingsChanged = false;
      read.quarantined = new Set(sources.filter((x) => x.raw === null).map((x) => x.sourceId));
      read.ambiguous = new Set(p.ambiguous);
    };
    let prediction = oracle.predict(sources, options);
    if (prediction.status === 'blocked') {
      await runAndCompare(step, actions, prediction, false);
      stats.blocked += 1;
      prediction = oracle.predict(sources, { ...options, confirmDeactivations: true });
      await runAndCompare(step, [...actions, 'confirmed'], prediction, true);
    } else {
      await runAndCompare(step, actions, prediction, false);
    }
    settle(prediction);
    stats.faultAnswers += faultAnswers(h) - before;
  }

  async function runAndCompare(step: number, actions: string[], prediction: Prediction, confirm: boolean): Promise<void> {
    // A mass departure in a small company also shrinks the headcount past the visibility guard: the
    // operator's confirmation covers both guards (the oracle models the deactivation guard only).
    const handle = await h.start(connectionId, { confirmDeactivations: confirm, confirmVisibility: confirm, options: { linesPerActivity: 40 } });
    const summary = (await handle.result()) as SyncSummary;
    stats.syncs += 1;
    const fail = (what: string) => {
      throw new ModelFailure(`${where(step, actions)}: ${what} (run ${summary.runId}, workflow ${handle.workflowId}). Replay: ${replayCommand(config)}`);
    };
    if (summary.status !== prediction.status) fail(`run status ${summary.status}, oracle says ${prediction.status}: ${summary.message ?? ''}`);
    const wrong = COUNTED.filter((k) => (summary.counts[k] ?? 0) !== prediction.counts[k]);
    if (wrong.length > 0) {
      fail(`report counts differ: ${wrong.map((k) => `${k} ${summary.counts[k] ?? 0} (oracle ${prediction.counts[k]})`).join(', ')}`);
    }
    prediction.commit();
    const users = h.happypal.state.dump().users;
    // Learn the ids of the profiles this run created (by the external id we sent), failing on duplicates.
    for (const sourceId of prediction.created) {
      const found = users.filter((u) => u.external_id === sourceId);
      if (found.length !== 1) fail(`${found.length} HappyPal profiles for created employee ${sourceId}`);
      const profile = oracle.profileOf(sourceId);
      if (profile) profile.id = (found[0] as HappyPalUser).id;
    }
    const expected = new Map([...oracle.profiles.values()].map((p) => [p.id, p]));
    if (users.length !== expected.size) fail(`HappyPal holds ${users.length} profiles, oracle ${expected.size}`);
    const diffs: string[] = [];
    for (const user of users) {
      const p = expected.get(user.id);
      if (!p) {
        diffs.push(`unexpected profile ${user.id} (external ${user.external_id})`);
        continue;
      }
      for (const f of FIELDS) {
        if (user[TARGET_FIELD[f]] !== p.fields[f]) diffs.push(`${user.id} (${p.externalId ?? 'seeded'}) ${f}: HappyPal ${JSON.stringify(user[TARGET_FIELD[f]])}, oracle ${JSON.stringify(p.fields[f])}`);
      }
      if (user.status !== p.status) diffs.push(`${user.id} (${p.externalId ?? 'seeded'}) status: HappyPal ${user.status}, oracle ${p.status}`);
    }
    if (diffs.length > 0) fail(`HappyPal differs from the oracle on ${diffs.length} value(s): ${diffs.slice(0, 8).join('; ')}`);
    // The open conflicts HR sees (review): the same fields, with the values of the run that last saw them.
    const open = await h.db.db.select().from(conflicts).where(and(eq(conflicts.connectionId, connectionId), eq(conflicts.status, 'open')));
    const listed = new Map(open.map((c) => [`${c.sourceId}:${c.field}`, { base: c.baseValue, source: c.sourceValue, target: c.targetValue }]));
    const conflictDiffs: string[] = [];
    for (const [key, c] of oracle.conflicts) {
      const got = listed.get(key);
      if (!got) conflictDiffs.push(`${key} not listed`);
      else if (got.source !== c.source || got.target !== c.target) conflictDiffs.push(`${key} listed as ${JSON.stringify(got)}, oracle ${JSON.stringify(c)}`);
    }
    for (const key of listed.keys()) if (!oracle.conflicts.has(key)) conflictDiffs.push(`${key} listed, oracle says closed`);
    if (conflictDiffs.length > 0) fail(`open conflicts differ: ${conflictDiffs.slice(0, 8).join('; ')}`);
    stats.recordsChecked += users.length;
  }
}

function fieldsOf(user: HappyPalUser): Record<Field, string | null> {
  return Object.fromEntries(FIELDS.map((f) => [f, user[TARGET_FIELD[f]]])) as Record<Field, string | null>;
}

const invalidIds = (company: Company) => new Map(company.invalidUserIds.map((r) => [r.userId, r.reason]));

/** What Lucca serves now, every employee (former ones too), the ones broken on purpose as null. */
export function sourcesOf(company: Company): SourceRecord[] {
  const invalid = invalidIds(company);
  const today = company.clock.today();
  return company.users.map((u) => {
    const reason = invalid.get(u.id);
    // A birth date "in the future" stops being one as the model's clock moves on.
    const broken = reason === 'bad-email' || reason === 'missing-last-name' || (reason === 'future-birth-date' && u.birthDate > today);
    return {
      sourceId: String(u.id),
      raw: broken ? null : {
        firstName: u.firstName, lastName: u.lastName, mail: u.mail,
        birthDate: u.birthDate, contractStart: u.dtContractStart, contractEnd: u.dtContractEnd,
      },
    };
  });
}

type User = Company['users'][number];
const isCurrent = (u: User, today: string) => u.dtContractEnd === null || u.dtContractEnd >= today;

/** Up to n distinct valid employees matching `filter`, drawn with the model's RNG. */
function pickValid(company: Company, rng: Rng, n: number, filter: (u: User) => boolean = () => true): User[] {
  const invalid = invalidIds(company);
  const pool = company.users.filter((u) => !invalid.has(u.id) && filter(u));
  const chosen: User[] = [];
  while (chosen.length < n && pool.length > 0) chosen.push(...pool.splice(Math.floor(rng() * pool.length), 1));
  return chosen;
}

function luccaChange(h: ChaosHarness, company: Company, rng: Rng, today: string, unique: () => string, oracle: SyncOracle): string {
  const kind = pick(rng, [
    'hire', 'hire', 'rename', 'rename', 'rename', 'email', 'email', 'end', 'end', 'rehire', 'remove',
    'hire-known', 'twins', 'break', 'fix',
  ] as const);
  const name = () => (rng() < 0.5 ? pick(rng, FEMALE_FIRST_NAMES) : pick(rng, MALE_FIRST_NAMES));
  const birthDate = () => addDays('1970-01-01', Math.floor(rng() * 12_000));
  switch (kind) {
    case 'hire-known': {
      // Someone HappyPal already knows (added there by hand, maybe deactivated): attached, not duplicated.
      const user = hire(company, { firstName: name(), lastName: pick(rng, LAST_NAMES), birthDate: birthDate() });
      const seeded = h.happypal.state.seedUser({
        first_name: user.firstName, last_name: `${user.lastName ?? ''}-HP`, email: ` ${user.mail.toUpperCase()}`,
        birth_date: rng() < 0.5 ? user.birthDate : null, status: rng() < 0.7 ? 'active' : 'inactive', by: 'hr',
      });
      oracle.seedProfile(seeded.id, fieldsOf(seeded), seeded.status);
      return `lucca hire ${user.id} already on HappyPal as ${seeded.id} (${seeded.status})`;
    }
    case 'twins': {
      // Two new employees with one email (case differs): ambiguous, never written, until one changes.
      const first = hire(company, { firstName: name(), lastName: pick(rng, LAST_NAMES), birthDate: birthDate() });
      const twin = hire(company, { firstName: name(), lastName: pick(rng, LAST_NAMES), birthDate: birthDate(), mail: first.mail.toUpperCase() });
      return `lucca hire twins ${first.id} ${twin.id} sharing one email`;
    }
    case 'break': {
      const [u] = pickValid(company, rng, 1);
      if (!u) return 'lucca nothing to break';
      changeEmail(company, u.id, `${u.mail.split('@')[0]}@`);
      company.invalidUserIds.push({ userId: u.id, reason: 'bad-email' });
      return `lucca break email of ${u.id}`;
    }
    case 'fix': {
      const broken = company.invalidUserIds.filter((r) => company.byId.has(r.userId));
      if (broken.length === 0) return 'lucca nothing to fix';
      const r = pick(rng, broken);
      const u = company.byId.get(r.userId) as User;
      if (r.reason === 'bad-email') changeEmail(company, u.id, `fixed.${unique()}@${company.domain}`);
      else if (r.reason === 'missing-last-name') rename(company, u.id, { lastName: pick(rng, LAST_NAMES) });
      else update(company, u.id, { birthDate: birthDate() });
      company.invalidUserIds.splice(company.invalidUserIds.indexOf(r), 1);
      return `lucca fix ${r.reason} of ${u.id}`;
    }
    case 'hire': {
      const start = rng() < 0.8 ? today : addDays(today, 1 + Math.floor(rng() * 20));
      const user = hire(company, { firstName: name(), lastName: pick(rng, LAST_NAMES), birthDate: birthDate(), dtContractStart: start });
      return `lucca hire ${user.id}${start > today ? ` starting ${start}` : ''}`;
    }
    case 'rename': {
      const [u] = pickValid(company, rng, 1);
      if (!u) return 'lucca nothing to rename';
      if (rng() < 0.5) rename(company, u.id, { firstName: name() });
      else rename(company, u.id, { lastName: `${pick(rng, LAST_NAMES)}-${unique()}` });
      return `lucca rename ${u.id}`;
    }
    case 'email': {
      const [u] = pickValid(company, rng, 1);
      if (!u) return 'lucca nothing to re-address';
      changeEmail(company, u.id, `${u.mail.split('@')[0]}.${unique()}@${company.domain}`);
      return `lucca email ${u.id}`;
    }
    case 'end': {
      const [u] = pickValid(company, rng, 1, (x) => isCurrent(x, today));
      if (!u) return 'lucca nobody to leave';
      // Yesterday (inactive now), today (the last working day: still active) or in a few days.
      const draw = rng();
      const wanted = draw < 0.5 ? addDays(today, -1) : draw < 0.65 ? today : addDays(today, 1 + Math.floor(rng() * 5));
      const date = wanted < u.dtContractStart ? u.dtContractStart : wanted;
      endContract(company, u.id, date);
      return `lucca end ${u.id} on ${date}`;
    }
    case 'rehire': {
      const [u] = pickValid(company, rng, 1, (x) => !isCurrent(x, today));
      if (!u) return 'lucca nobody to rehire';
      rehire(company, u.id, today);
      return `lucca rehire ${u.id}`;
    }
    case 'remove': {
      // Under the 10 % guard: one at a time, and only while enough profiles are linked.
      const [u] = pickValid(company, rng, 1);
      if (!u || oracle.linkedCount() < 20) return 'lucca nobody removed';
      remove(company, u.id);
      return `lucca remove ${u.id}`;
    }
  }
}

/** A hand edit on a HappyPal profile the oracle knows, mirrored in the oracle. */
function handEdit(h: ChaosHarness, oracle: SyncOracle, rng: Rng, unique: () => string): string | undefined {
  const known = [...oracle.profiles.values()].filter((p) => p.id !== null);
  if (known.length === 0) return undefined;
  const profile = pick(rng, known);
  const field = pick(rng, ['firstName', 'lastName', 'lastName', 'email', 'email', 'birthDate'] as const);
  const current = h.happypal.state.users.get(profile.id as string);
  if (!current) throw new Error(`profile ${profile.id} vanished from HappyPal`);
  const lucca = profile.externalId ? h.lucca.sim.company('demo').byId.get(Number(profile.externalId)) : undefined;
  let value: string;
  let kind: string;
  const draw = rng();
  if (draw < 0.2 && field === 'email') {
    value = current.email.toUpperCase(); // cosmetic: equal once normalised
    kind = 'case';
  } else if (draw < 0.35 && lucca) {
    // Back to what Lucca says: the values converge.
    const source = { firstName: lucca.firstName, lastName: lucca.lastName, email: lucca.mail.toLowerCase(), birthDate: lucca.birthDate }[field];
    if (!source) return undefined;
    value = source;
    kind = 'revert';
  } else {
    value = field === 'email' ? `hand.${unique()}@hand.example`
      : field === 'birthDate' ? addDays('1960-01-01', Math.floor(rng() * 14_000))
      : `Hand-${unique()}`;
    kind = 'edit';
  }
  const target = TARGET_FIELD[field] as HappyPalEditableField;
  let updated: HappyPalUser;
  try {
    updated = h.happypal.state.handEdit(profile.id as string, target, value, 'hr@client');
  } catch (err) {
    if (err instanceof HappyPalStateError) return `hand ${kind} ${profile.id} ${field} refused by HappyPal (${err.status})`;
    throw err;
  }
  oracle.handEdit(profile.key, field, updated[target]);
  return `hand ${kind} ${profile.id} ${field}`;
}

function injectFaults(h: ChaosHarness, rng: Rng, stats: ModelStats): string[] {
  // One or two kinds per step. Lucca rates stay moderate: each failed attempt of a read activity
  // backs off (1 s, 2 s, 4 s… up to a minute), so a high steady rate makes a run crawl without
  // testing more. HappyPal write faults are absorbed inside the write attempt (activities/targets/happypal/apply.ts:
  // re-sent with their key, or left planned for the next call), so their rates can be high.
  const writes = ['createUser', 'updateUser', 'deactivateUser', 'reactivateUser'];
  const kinds: [string, () => void][] = [
    ['lucca 500s', () => h.lucca.sim.faults.set('users', { errorRate: 0.25 })],
    ['lucca 429 burst', () => h.lucca.sim.faults.set('users', { burst429: 1 + Math.floor(rng() * 2), retryAfterSeconds: 1 })],
    ['lucca cut bodies', () => h.lucca.sim.faults.set('users', { truncateRate: 0.25 })],
    ['lucca slow answers', () => h.lucca.sim.faults.set('users', { latencyMs: 1500, latencyRate: 0.5 })],
    ['happypal 429 burst', () => h.happypal.faults.set('*', { burst429: 1 + Math.floor(rng() * 3), retryAfterSeconds: 1 })],
    ['happypal list 500s', () => h.happypal.faults.set('listUsers', { errorRate: 0.25 })],
    ['happypal writes lost after commit', () => {
      for (const endpoint of writes) h.happypal.faults.set(endpoint, { dropRate: 0.2 });
    }],
    ['happypal write 500s', () => {
      for (const endpoint of writes) h.happypal.faults.set(endpoint, { errorRate: 0.2 });
    }],
  ];
  const on: string[] = [];
  for (let n = 1 + Math.floor(rng() * 2); n > 0; n--) {
    const [name, apply] = kinds.splice(Math.floor(rng() * kinds.length), 1)[0] as [string, () => void];
    apply();
    on.push(`fault ${name}`);
    stats.faultSwitches += 1;
  }
  return on;
}

/** Fault answers the simulators gave so far: Lucca's non-200 answers, HappyPal's 429 / 500 / dropped. */
function faultAnswers(h: ChaosHarness): number {
  let n = 0;
  for (const [status, count] of Object.entries(h.lucca.sim.stats.snapshot().byEndpoint.users?.byStatus ?? {})) if (status !== '200') n += count;
  for (const byStatus of Object.values(h.happypal.state.dump().requestCounts)) {
    for (const [status, count] of Object.entries(byStatus)) if (status === '429' || status === '500' || status === 'dropped') n += count;
  }
  return n;
}
