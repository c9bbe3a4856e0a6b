import { loadReportPage, type ReportEntry } from '../client/reports/load-report.js';
import { findConnectionById } from '../db/queries/connections.js';
import type { SessionUser } from '../db/queries/console-auth.js';
import { findRun } from '../db/queries/runs.js';
import { deleteSetupDraft, findSetupDraft, saveSetupDraft } from '../db/queries/setup-drafts.js';
import {
  decryptSetup, discardSetup, encryptSetup, saveSetup, settingsStep, startPreview, stepsDone, testLuccaStep, testTargetStep,
  type SetupData, type Target,
} from '../services/setup.js';
import { ConsoleError, type ConsoleDeps } from './deps.js';
import { serviceContext, viaService } from './service-bridge.js';

/**
 * The setup wizard's state, one draft per session (console_setup_drafts): what was typed, keys
 * included, encrypted as a whole with CREDENTIALS_KEY and never sent to the browser. The rules are
 * the service layer's (services/setup.ts); this module loads and stores the draft around them and
 * shapes what the pages and the API show (keys only as "kept", never their value).
 */

/** Companies the user may set up for: an operator any (null), an HR admin their own. */
export const setupCompanies = (user: SessionUser): readonly string[] | null => (user.role === 'operator' ? null : user.companies);

interface Draft {
  data: SetupData;
  connectionId: string | null;
  previewRunId: string | null;
}

async function load(deps: ConsoleDeps, sessionHash: string): Promise<Draft> {
  const row = await findSetupDraft(deps.db, sessionHash);
  if (!row) return { data: {}, connectionId: null, previewRunId: null };
  return { data: decryptSetup(deps.cipher, row.dataEnc), connectionId: row.connectionId, previewRunId: row.previewRunId };
}

async function store(deps: ConsoleDeps, user: SessionUser, sessionHash: string, draft: Partial<Draft> & { data: SetupData }) {
  await saveSetupDraft(deps.db, {
    sessionHash, userId: user.id, dataEnc: encryptSetup(deps.cipher, draft.data),
    ...(draft.connectionId !== undefined && { connectionId: draft.connectionId }),
    ...(draft.previewRunId !== undefined && { previewRunId: draft.previewRunId }),
  });
}

function requireChanger(user: SessionUser) {
  if (user.role === 'viewer') throw new ConsoleError(403, 'viewers cannot change anything: ask an operator or your HR admin.');
}

/** The preview's run, its status and, once it is over, counts and a sample of each kind of change. */
async function previewOf(deps: ConsoleDeps, runId: string | null) {
  if (!runId) return null;
  const run = await findRun(deps.db, runId);
  if (!run) return null;
  const finished = run.status !== 'running';
  const SAMPLED = ['created', 'attached', 'updated', 'deactivated', 'reactivated', 'quarantined', 'conflict', 'error'] as const;
  const samples: Array<{ action: string; total: number; lines: ReportEntry[] }> = [];
  if (finished) {
    for (const action of SAMPLED) {
      const page = await loadReportPage(deps.db, run.id, { action, limit: 5 });
      if (page.total > 0) samples.push({ action, total: page.total, lines: page.lines });
    }
  }
  return { runId: run.id, status: run.status, finished, message: run.message, counts: run.counts, samples };
}

export type SetupView = Awaited<ReturnType<typeof setupView>>;

/** What the wizard shows: each step's values and checks, keys as "kept" only. */
export async function setupView(deps: ConsoleDeps, user: SessionUser, sessionHash: string) {
  requireChanger(user);
  const draft = await load(deps, sessionHash);
  const preview = await previewOf(deps, draft.previewRunId);
  const d = draft.data;
  const connection = draft.connectionId ? await findConnectionById(deps.db, draft.connectionId) : undefined;
  return {
    steps: stepsDone(d, preview),
    lucca: { url: d.luccaUrl ?? null, keyKept: !!d.luccaKey, lines: d.luccaLines ?? [], usable: d.luccaUsable ?? null },
    target: { target: d.target ?? null, url: d.targetUrl ?? null, keyKept: !!d.targetKey, lines: d.targetLines ?? [], usable: d.targetUsable ?? null },
    settings: d.settings ?? null,
    companies: user.role === 'operator' ? null : [...user.companies],
    connection: connection && !connection.removedAt ? connection.name : null,
    preview,
  };
}

export type Step = 'lucca' | 'target' | 'settings' | 'preview' | 'save' | 'discard';

/** One step posted: its rules run in the service layer, the draft is stored, and the view returned. */
export async function postSetupStep(deps: ConsoleDeps, user: SessionUser, sessionHash: string, step: Step, input: Record<string, unknown>) {
  requireChanger(user);
  return viaService(() => runStep(deps, user, sessionHash, step, input));
}

async function runStep(deps: ConsoleDeps, user: SessionUser, sessionHash: string, step: Step, input: Record<string, unknown>) {
  const draft = await load(deps, sessionHash);
  const sctx = serviceContext(deps, user);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (step) {
    case 'lucca': {
      const data = await testLuccaStep(sctx, draft.data, { luccaUrl: str(input.luccaUrl) ?? '', luccaKey: str(input.luccaKey) });
      await store(deps, user, sessionHash, { data });
      break;
    }
    case 'target': {
      const data = await testTargetStep(sctx, draft.data, { target: input.target as Target, targetUrl: str(input.targetUrl), targetKey: str(input.targetKey) });
      await store(deps, user, sessionHash, { data });
      break;
    }
    case 'settings': {
      const data = await settingsStep(sctx, draft.data, input, setupCompanies(user), draft.connectionId);
      await store(deps, user, sessionHash, { data });
      break;
    }
    case 'preview': {
      const preview = await previewOf(deps, draft.previewRunId);
      if (preview && !preview.finished) throw new ConsoleError(409, 'the preview is still running: wait for it to finish.');
      const { connection, runId } = await startPreview(sctx, draft.data, draft.connectionId);
      await store(deps, user, sessionHash, { data: draft.data, connectionId: connection.id, previewRunId: runId });
      break;
    }
    case 'save': {
      const preview = await previewOf(deps, draft.previewRunId);
      if (!preview) throw new ConsoleError(409, 'preview the first sync before saving (step 4).');
      if (!preview.finished) throw new ConsoleError(409, 'the preview is still running: wait for it to finish, then save.');
      const saved = await saveSetup(sctx, draft.data, draft.connectionId);
      await deleteSetupDraft(deps.db, sessionHash);
      return { saved: { name: saved.connection.name, active: saved.active } };
    }
    case 'discard': {
      await discardSetup(sctx, draft.connectionId);
      await deleteSetupDraft(deps.db, sessionHash);
      return { discarded: true as const };
    }
  }
  return { view: await setupView(deps, user, sessionHash) };
}

/** Step 3's form fields as the service's settings: each value is checked there (one message per bad field). */
export function settingsFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const fieldPolicies: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (k.startsWith('fp-') && typeof v === 'string' && v !== '') fieldPolicies[k.slice(3)] = v;
  const at = /^(\d{1,2}):(\d{2})$/.exec(text(form.at));
  const guard = text(form.guard);
  return {
    name: text(form.name), company: text(form.company) || null, defaultPolicy: text(form.defaultPolicy), fieldPolicies,
    deactivationGuardPct: /^\d{1,3}$/.test(guard) ? Number(guard) : guard,
    cadence: text(form.schedule) === 'every-4h' ? { kind: 'every-4h' }
      : { kind: 'daily', hour: at ? Number(at[1]) : text(form.at), minute: at ? Number(at[2]) : 0, timezone: text(form.tz) || 'Europe/Paris' },
  };
}
