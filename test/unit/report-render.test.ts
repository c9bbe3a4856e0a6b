import { describe, expect, it } from 'vitest';
import type { ReportEntry, RunReport } from '../../client/reports/load-report.js';
import { escapeHtml, renderHtml } from '../../client/reports/render-html.js';
import { renderText } from '../../client/reports/render-text.js';

const line = (over: Partial<ReportEntry>): ReportEntry => ({
  seq: 0, dataset: 'employees', sourceId: '1', targetId: 'hp_1', action: 'updated', also: [], outcome: 'applied',
  changes: [], reasons: [], error: null, ...over,
});

function report(): RunReport {
  return {
    run: {
      id: '00000000-0000-4000-8000-000000000001', connection: 'acme', target: 'happypal', workflowId: 'sync-acme-manual-x',
      trigger: 'manual', dryRun: false, status: 'completed', phase: 'done', message: null,
      startedAt: '2025-09-01T06:00:00.000Z', finishedAt: '2025-09-01T06:00:42.000Z',
      counts: { read: 10, created: 1, updated: 2, quarantined: 1, unchanged: 5 },
    },
    lines: [
      line({ seq: 0, sourceId: '1', targetId: 'hp_1', action: 'created', changes: [{ field: 'firstName', before: null, after: 'Zoé' }] }),
      line({ seq: 1, sourceId: '2', action: 'updated', changes: [{ field: 'lastName', before: 'Old & <b>bold</b>', after: 'New "quoted" \'x\'' }] }),
      line({ seq: 2, sourceId: '3', action: 'updated', also: ['deactivated'], changes: [{ field: 'email', before: 'a@x.fr', after: 'b@x.fr', note: 'manual_edit_overwritten' }] }),
      line({ seq: 3, sourceId: '4', targetId: null, action: 'quarantined', outcome: 'reported', reasons: [{ code: 'invalid_email', field: 'email', message: 'not a valid <address>' }] }),
      line({ seq: 4, sourceId: '5', targetId: null, action: 'ambiguous', outcome: 'reported' }),
      line({ seq: 5, sourceId: '6', action: 'error', also: ['updated'], outcome: 'failed', error: 'HappyPal rejected the record (422)' }),
      line({ seq: 6, sourceId: '7', action: 'unchanged', changes: [] }),
      line({ seq: 7, sourceId: '8', action: 'conflict', changes: [{ field: 'lastName', before: 'Hand', after: 'Hand', source: 'Lucca', note: 'conflict' }] }),
    ],
  };
}

describe('renderText', () => {
  it('gives a Reflect run one section per dataset, naming Reflect ids', () => {
    const r = report();
    r.run.target = 'reflect';
    r.lines = [line({ dataset: 'employees', sourceId: '1', targetId: '1' }), line({ seq: 1, dataset: 'absences', sourceId: 'lp-9', targetId: 'lp-9', action: 'created' })];
    const text = renderText(r);
    expect(text).toContain('== employees (1) ==');
    expect(text).toContain('== absences (1) ==');
    expect(text).toContain('Lucca lp-9  Reflect lp-9');
  });

  it('as a digest shows errors and conflicts first and at most N records per action, counting the rest', () => {
    const many = report();
    many.lines.push(line({ seq: 8, sourceId: '9', action: 'updated' }), line({ seq: 9, sourceId: '10', action: 'updated' }));
    const text = renderText(many, { maxPerAction: 1 });
    expect(text.indexOf('Lucca 6')).toBeLessThan(text.indexOf('Lucca 8')); // error before conflict
    expect(text.indexOf('Lucca 8')).toBeLessThan(text.indexOf('Lucca 1 ')); // conflict before created
    expect(text).toContain('… and 3 more updated');
    expect(text).not.toContain('Lucca 9 ');
  });

  it('has a header with connection, status, times and counts', () => {
    const text = renderText(report());
    expect(text).toContain('Sync report: acme (happypal)');
    expect(text).toContain('completed');
    expect(text).toContain('Started 2025-09-01 06:00:00Z, finished 2025-09-01 06:00:42Z (42 s)');
    expect(text).toContain('Counts: read 10, created 1, updated 2, quarantined 1, unchanged 5');
  });

  it('prints one block per affected record with field: before → after and notes', () => {
    const text = renderText(report());
    expect(text).toMatch(/created\s+Lucca 1 {2}HappyPal hp_1/);
    expect(text).toContain('firstName: (empty) → Zoé');
    expect(text).toContain('email: a@x.fr → b@x.fr  (manual edit on the target overwritten)');
    expect(text).toContain('(also deactivated)');
    expect(text).toContain('reason: not a valid <address> [email] (invalid_email)');
    expect(text).toContain('several HappyPal profiles match');
    expect(text).toContain('error: HappyPal rejected the record (422)');
    expect(text).toContain('lastName: Hand → Hand  (conflict left open for review; Lucca has Lucca)');
  });

  it('hides unchanged lines unless asked', () => {
    expect(renderText(report())).not.toMatch(/unchanged\s+Lucca 7/);
    expect(renderText(report())).toContain('1 unchanged record(s) hidden');
    expect(renderText(report(), { includeUnchanged: true })).toMatch(/unchanged\s+Lucca 7/);
  });
});

describe('renderHtml', () => {
  it('escapes every value', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const r = report();
    r.run.connection = '<script>alert("c")</script>';
    r.run.message = 'blocked <b>now</b>';
    const html = renderHtml(r);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('Old &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('New &quot;quoted&quot; &#39;x&#39;');
    expect(html).toContain('&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;');
    expect(html).toContain('blocked &lt;b&gt;now&lt;/b&gt;');
    expect(html).toContain('not a valid &lt;address&gt;');
  });

  it('is self-contained: inline CSS, no script, no external asset', () => {
    const html = renderHtml(report());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|<script|<img|@import|url\(|src=|href=/i);
  });

  it('shows counts as cards', () => {
    const html = renderHtml(report());
    expect(html).toContain('<div class="card"><b>10</b><span>read from Lucca</span></div>');
    expect(html).toContain('<div class="card"><b>2</b><span>updated</span></div>');
  });

  it('draws a stacked bar of the shown actions whose widths add up to 100 %', () => {
    const html = renderHtml(report());
    const bar = /<div class="bar"[^>]*>(.*?)<\/div><ul/.exec(html)?.[1] ?? '';
    const widths = [...bar.matchAll(/title="([^"]+)" style="width:([\d.]+)%/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(widths.map(([t]) => t)).toEqual(['error: 1', 'quarantined: 1', 'ambiguous match: 1', 'conflict: 1', 'created: 1', 'updated: 2']);
    expect(widths.reduce((s, [, w]) => s + w, 0)).toBeCloseTo(100, 1);
    expect(widths.find(([t]) => t === 'updated: 2')?.[1]).toBeCloseTo(28.57, 1);
  });

  it('lists quarantined, ambiguous, errors and conflicts with reasons, and hides unchanged rows', () => {
    const html = renderHtml(report());
    const attention = /<h2>Needs attention<\/h2>(.*?)<\/ul>/s.exec(html)?.[1] ?? '';
    expect(attention).toContain('<b>Quarantined</b> Lucca 4: not a valid &lt;address&gt;');
    expect(attention).toContain('<b>Ambiguous match</b> Lucca 5');
    expect(attention).toContain('<b>Error</b> Lucca 6 / HappyPal hp_1: HappyPal rejected the record (422)');
    expect(attention).toContain('<b>Conflict</b> Lucca 8');
    expect(html).not.toContain('>7</td>');
    expect(renderHtml(report(), { includeUnchanged: true })).toContain('>7</td>');
  });

  it('says so when nothing was affected', () => {
    const r = report();
    r.lines = [];
    expect(renderHtml(r)).toContain('No record was affected.');
    expect(renderText(r)).toContain('No record was affected.');
  });
});
