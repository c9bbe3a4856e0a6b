import { html } from 'hono/html';
import { TARGET_NAMES, TARGETS, type TargetName } from '../../activities/targets/registry.js';
import { POLICY_LABEL } from './manage.js';
import { formatCounts } from '../../client/output.js';
import { actionLabel, shown } from '../../client/reports/labels.js';
import { describeCadence } from '../../client/schedule-spec.js';
import type { SessionUser } from '../../db/queries/console-auth.js';
import { PolicySchema, SyncedFieldSchema } from '../../db/queries/connections.js';
import type { CheckLine } from '../../services/lucca-check.js';
import { DEFAULT_TARGET_URL } from '../../services/setup.js';
import type { SetupView } from '../setup.js';
import { csrfField, layout, statusBadge, type Html } from './layout.js';

export const SETUP_STEPS = [
  ['lucca', 'Lucca'], ['target', 'Target'], ['settings', 'Policies and schedule'], ['preview', 'Preview'], ['save', 'Save'],
] as const;
export type SetupStep = (typeof SETUP_STEPS)[number][0];

const TARGET = Object.fromEntries(Object.values(TARGETS).map((t) => [t.name, t.label])) as Record<TargetName, string>;
const MARK = { ok: 'ok', warn: 'warn', fail: 'bad' } as const;
const WORD = { ok: 'ok', warn: 'warning', fail: 'missing' } as const;

/** Which steps may be opened: each once the steps before it are done. */
export function stepOpen(view: SetupView, step: SetupStep): boolean {
  const s = view.steps;
  return step === 'lucca' || (step === 'target' && s.lucca) || (step === 'settings' && s.target) || (step === 'preview' && s.settings) || (step === 'save' && s.preview);
}

function stepper(view: SetupView, current: SetupStep): Html {
  const done: Record<SetupStep, boolean> = { lucca: view.steps.lucca, target: view.steps.target, settings: view.steps.settings, preview: view.steps.preview, save: false };
  return html`<nav aria-label="Setup steps"><ol class="steps">${SETUP_STEPS.map(([step, label], i) => html`<li${step === current ? html` aria-current="step"` : ''} class="${done[step] ? 'done' : ''}">${
    stepOpen(view, step) && step !== current ? html`<a href="/setup/${step}">${i + 1}. ${label}</a>` : html`<span>${i + 1}. ${label}</span>`}${done[step] ? html` <span class="visually-hidden">(done)</span>` : ''}</li>`)}</ol></nav>`;
}

export function checkLines(lines: readonly CheckLine[], label: string): Html {
  if (lines.length === 0) return html``;
  return html`<ul class="checks" aria-label="${label}">${lines.map((l) => html`<li><span class="badge ${MARK[l.level]}">${WORD[l.level]}</span> ${l.text}</li>`)}</ul>`;
}

function page(user: SessionUser, view: SetupView, current: SetupStep, title: string, body: Html, options: { error?: string | undefined; script?: string } = {}): Html {
  return layout({ title: `Set up: ${title}`, user, current: '/setup', ...(options.script && { script: options.script }) }, html`<h1>Set up a connection</h1>
${stepper(view, current)}
<h2>${title}</h2>
${options.error ? html`<p role="alert">${options.error}</p>` : ''}
${body}
${view.connection || view.lucca.url ? html`<form method="post" action="/setup/discard" class="discard">${csrfField(user)}<button type="submit" class="secondary">Discard this setup</button></form>` : ''}`);
}

const keyHint = (kept: boolean, id: string) => kept
  ? html`<p class="muted" id="${id}">A key is kept from your last test (never shown again). Leave the field blank to keep it, or paste a new one.</p>`
  : html`<p class="muted" id="${id}">The key is stored encrypted and never shown again, here or anywhere.</p>`;

export function setupLuccaPage(user: SessionUser, view: SetupView, error?: string): Html {
  const l = view.lucca;
  return page(user, view, 'lucca', '1. Lucca URL and API key', html`<form class="form" method="post" action="/setup/lucca">${csrfField(user)}
  <label for="luccaUrl">Lucca URL</label>
  <input id="luccaUrl" name="luccaUrl" type="url" required maxlength="300" placeholder="https://yourcompany.ilucca.net" value="${l.url ?? ''}">
  <label for="luccaKey">Lucca API key</label>
  <input id="luccaKey" name="luccaKey" type="password" autocomplete="off" maxlength="4096" aria-describedby="lucca-key-hint"${l.keyKept ? '' : html` required`}>
  ${keyHint(l.keyKept, 'lucca-key-hint')}
  <button type="submit">Test the Lucca key</button>
</form>
${l.lines.length ? html`<h3>What the key can read</h3>${checkLines(l.lines, 'Lucca check')}
${l.usable ? html`<p><a class="button" href="/setup/target">Next: the target</a></p>` : html`<p role="alert">The key is not usable yet: grant what is marked missing to the key's role in Lucca, then test again.</p>`}` : ''}`, { error });
}

export function setupTargetPage(user: SessionUser, view: SetupView, error?: string): Html {
  const t = view.target;
  const target = t.target ?? TARGET_NAMES[0];
  return page(user, view, 'target', '2. Target URL and API key', html`<form class="form" method="post" action="/setup/target">${csrfField(user)}
  <fieldset><legend>Target</legend>
  ${TARGET_NAMES.map((k) => html`<label class="inline"><input type="radio" name="target" value="${k}"${target === k ? html` checked` : ''}> ${TARGET[k]}</label>`)}
  </fieldset>
  <label for="targetUrl">Target API URL</label>
  <input id="targetUrl" name="targetUrl" type="url" maxlength="300" placeholder="${TARGET_NAMES.map((k) => DEFAULT_TARGET_URL[k]).join(' or ')}" value="${t.url ?? ''}" aria-describedby="target-url-hint">
  <p class="muted" id="target-url-hint">Leave blank for the target's public API.</p>
  <label for="targetKey">Target API key</label>
  <input id="targetKey" name="targetKey" type="password" autocomplete="off" maxlength="4096" aria-describedby="target-key-hint"${t.keyKept ? '' : html` required`}>
  ${keyHint(t.keyKept, 'target-key-hint')}
  <button type="submit">Test the target key</button>
</form>
${t.lines.length ? html`<h3>Target check</h3>${checkLines(t.lines, 'Target check')}
${t.usable ? html`<p><a class="button" href="/setup/settings">Next: policies and schedule</a></p>` : html`<p role="alert">The target refused the key or could not be read: check the URL and the key, then test again.</p>`}` : ''}`, { error });
}

export function setupSettingsPage(user: SessionUser, view: SetupView, error?: string): Html {
  const s = view.settings;
  const cadence = s?.cadence ?? { kind: 'daily' as const, hour: 6, minute: 0, timezone: 'Europe/Paris' };
  const at = cadence.kind === 'daily' ? `${String(cadence.hour).padStart(2, '0')}:${String(cadence.minute).padStart(2, '0')}` : '06:00';
  const tz = cadence.kind === 'daily' ? cadence.timezone : 'Europe/Paris';
  const policy = s?.defaultPolicy ?? 'lucca-wins';
  const company = s?.company ?? (view.companies?.length === 1 ? view.companies[0] : '');
  const select = (name: string, options: ReadonlyArray<readonly [string, string]>, current: string | undefined) =>
    html`<select id="${name}" name="${name}">${options.map(([v, l]) => html`<option value="${v}"${v === current ? html` selected` : ''}>${l}</option>`)}</select>`;
  return page(user, view, 'settings', '3. Policies and schedule', html`<form class="form" method="post" action="/setup/settings">${csrfField(user)}
  <label for="name">Connection name</label>
  <input id="name" name="name" required maxlength="63" pattern="[a-z0-9][a-z0-9\\-]{1,62}" value="${s?.name ?? ''}" aria-describedby="name-hint">
  <p class="muted" id="name-hint">Lower-case letters, digits and dashes, e.g. acme-happypal.</p>
  <label for="company">Company</label>
  ${view.companies === null
    ? html`<input id="company" name="company" maxlength="63" value="${company ?? ''}" aria-describedby="company-hint"><p class="muted" id="company-hint">Its HR admins see the connection. Blank: operators only.</p>`
    : select('company', view.companies.map((c) => [c, c] as const), company ?? undefined)}
  <label for="defaultPolicy">When Lucca and the target both changed a field</label>
  ${select('defaultPolicy', PolicySchema.options.map((p) => [p, POLICY_LABEL[p]] as const), policy)}
  <fieldset><legend>Per field (optional)</legend><div class="grid">
  ${SyncedFieldSchema.options.map((f) => html`<label>${f} ${select(`fp-${f}`, [['', 'as above'], ...PolicySchema.options.map((p) => [p, POLICY_LABEL[p]] as const)], s?.fieldPolicies[f] ?? '')}</label>`)}
  </div></fieldset>
  <label for="guard">Stop before deactivating more than (% of linked profiles)</label>
  <input id="guard" name="guard" type="number" min="0" max="100" step="1" required value="${s?.deactivationGuardPct ?? 10}">
  <fieldset><legend>Schedule</legend>
  <label class="inline"><input type="radio" name="schedule" value="daily"${cadence.kind === 'daily' ? html` checked` : ''}> Daily at</label>
  <label class="inline">time <input name="at" type="time" value="${at}"></label>
  <label class="inline">time zone <input name="tz" maxlength="64" value="${tz}"></label>
  <label class="inline"><input type="radio" name="schedule" value="every-4h"${cadence.kind === 'every-4h' ? html` checked` : ''}> Every 4 hours</label>
  </fieldset>
  <button type="submit">Save and preview</button>
</form>`, { error });
}

export function setupPreviewPage(user: SessionUser, view: SetupView, error?: string): Html {
  const p = view.preview;
  const running = p && !p.finished;
  return page(user, view, 'preview', '4. Preview the first sync', html`<p>The preview is a dry run: it reads Lucca and ${view.target.target ? TARGET[view.target.target] : 'the target'}, and shows what a first sync would create, update, deactivate and quarantine. It writes nothing to the target. The connection is stored inactive meanwhile.</p>
${p ? html`<section id="progress" class="progress" data-run="${p.runId}" data-status="${p.status}" aria-live="polite">
  <p>${statusBadge(p.status)} ${running ? html`Phase <b data-field="phase">…</b> · pages read <b data-field="pages">–</b> · <span data-field="live" class="muted">connecting…</span>` : ''}</p>
  <p>Counts: <span data-field="counts">${formatCounts(p.counts)}</span></p>
  ${p.message ? html`<p class="banner">${p.message}</p>` : ''}
</section>` : ''}
${p?.finished ? html`<h3>What a first sync would do</h3>
${p.samples.length === 0 ? html`<p>Nothing to change: the target already matches Lucca.</p>` : p.samples.map((s) => html`<table class="sample">
<caption>${actionLabel(s.action)}: ${s.total}${s.total > s.lines.length ? html` (first ${s.lines.length} shown)` : ''}</caption>
<thead><tr><th scope="col">Lucca id</th><th scope="col">Changes or reason</th></tr></thead>
<tbody>${s.lines.map((l) => html`<tr><th scope="row">${l.sourceId}</th><td>${l.changes.length
    ? l.changes.map((c, i) => html`${i ? '; ' : ''}${c.field}: ${c.before === null ? '' : html`<span class="before">${shown(c.before)}</span> → `}<span class="after">${shown(c.after)}</span>`)
    : (l.error ?? (l.reasons.map((r) => r.message).join('; ') || (l.targetId ? `its existing ${view.target.target ? TARGET[view.target.target] : 'target'} profile ${l.targetId}` : '–')))}</td></tr>`)}</tbody></table>`)}
<p><a href="/runs/${p.runId}">The whole preview report</a></p>` : ''}
<div class="actions">
${running ? '' : html`<form method="post" action="/setup/preview">${csrfField(user)}<button type="submit"${p ? html` class="secondary"` : ''}>${p ? 'Run the preview again' : 'Run the preview'}</button></form>`}
${p?.finished ? html`<a class="button" href="/setup/save">Next: save</a>` : ''}
</div>`, { error, script: 'run.js' });
}

export function setupSavePage(user: SessionUser, view: SetupView, error?: string): Html {
  const s = view.settings;
  const target = view.target.target;
  return page(user, view, 'save', '5. Save', html`<dl class="settings">
  <dt>Name</dt><dd>${s?.name ?? '–'}</dd>
  <dt>Company</dt><dd>${s?.company ?? '–'}</dd>
  <dt>Lucca</dt><dd>${view.lucca.url ?? '–'} · key tested</dd>
  <dt>Target</dt><dd>${target ? TARGET[target] : '–'} · ${view.target.url ?? '–'} · key tested</dd>
  <dt>Policy</dt><dd>${s ? POLICY_LABEL[s.defaultPolicy] : '–'}${s && Object.keys(s.fieldPolicies).length ? html` (fields: ${Object.entries(s.fieldPolicies).map(([f, p]) => `${f}=${p}`).join(', ')})` : ''}</dd>
  <dt>Guard</dt><dd>${s?.deactivationGuardPct ?? '–'} %</dd>
  <dt>Schedule</dt><dd>${s ? describeCadence(s.cadence) : '–'}</dd>
</dl>
${target && !TARGETS[target].startsActive ? html`<p class="banner">A ${TARGET[target]} connection is saved inactive: an operator (the publisher's help desk) activates it, and its schedule starts then.</p>` : html`<p>Saving activates the connection: its schedule starts, and you can sync it now from its page.</p>`}
<form method="post" action="/setup/save">${csrfField(user)}<button type="submit">Save the connection</button></form>`, { error });
}
