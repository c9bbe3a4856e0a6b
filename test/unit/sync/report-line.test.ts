import { describe, expect, it } from 'vitest';
import { buildReportLine, markError, ReportLineSchema } from '../../../rules/report-line.js';
import { decideRecord, resolvePolicies, type Policy } from '../../../rules/three-way.js';
import type { Person } from '../../../rules/person.js';

const person = (over: Partial<Person> = {}): Person => ({
  firstName: 'Jean', lastName: 'DUPONT', email: 'jean@x.fr', birthDate: '1990-05-01', contractStart: '2020-01-01', contractEnd: null, ...over,
});
const linked = { kind: 'linked', targetId: 't1' } as const;
const decide = (target: Partial<Person>, source: Partial<Person> = {}, policy: Policy = 'lucca-wins', base: Partial<Person> | null = person()) =>
  decideRecord({ base: base ?? undefined, source: person(source), target: person(target), policies: resolvePolicies(policy) });

describe('buildReportLine: primary action', () => {
  it('create → created, every non-null field listed null → value', () => {
    const line = buildReportLine({ sourceId: '1', match: { kind: 'create' }, source: person() });
    expect(line.action).toBe('created');
    expect(line.targetId).toBeNull();
    expect(line.changes).toHaveLength(5); // contractEnd is null
    expect(line.changes[0]).toEqual({ field: 'firstName', before: null, after: 'Jean' });
  });
  it('attach with a patch → attached, with the update listed', () => {
    const decision = decide({ firstName: 'J.' }, {}, 'review', null);
    const line = buildReportLine({ sourceId: '1', match: { kind: 'attach', targetId: 't9' }, decision });
    expect(line).toMatchObject({ action: 'attached', also: ['updated'], targetId: 't9' });
    expect(line.changes).toEqual([{ field: 'firstName', before: 'J.', after: 'Jean', source: 'Jean' }]);
  });
  it('only source changes → updated, before → after with the base', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({}, { lastName: 'MARTIN' }) });
    expect(line.action).toBe('updated');
    expect(line.changes).toEqual([{ field: 'lastName', before: 'DUPONT', after: 'MARTIN', source: 'MARTIN', base: 'DUPONT' }]);
  });
  it('overwritten hand edit → overwrote_manual_edit, with both values', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({ lastName: 'Dupond' }, { email: 'j2@x.fr' }) });
    expect(line).toMatchObject({ action: 'overwrote_manual_edit', also: ['updated'] });
    expect(line.changes[0]).toEqual({ field: 'lastName', before: 'Dupond', after: 'DUPONT', source: 'DUPONT', base: 'DUPONT', note: 'manual_edit_overwritten' });
  });
  it('kept hand edit → kept_manual_edit, after = before', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({ lastName: 'Dupond' }, { lastName: 'MARTIN' }, 'target-wins') });
    expect(line.action).toBe('kept_manual_edit');
    expect(line.changes[0]).toMatchObject({ before: 'Dupond', after: 'Dupond', source: 'MARTIN', base: 'DUPONT', note: 'both_changed_kept' });
  });
  it('any conflict → conflict, ahead of updates and lifecycle', () => {
    const decision = decide({ lastName: 'Dupond' }, { contractEnd: '2025-01-31' }, 'review');
    const line = buildReportLine({ sourceId: '1', match: linked, decision, lifecycle: 'deactivate' });
    expect(line).toMatchObject({ action: 'conflict', also: ['deactivated', 'updated'], conflicts: ['lastName'] });
    expect(line.changes.find((c) => c.field === 'lastName')?.note).toBe('conflict');
  });
  it('lifecycle alone → deactivated / reactivated', () => {
    expect(buildReportLine({ sourceId: '1', match: linked, decision: decide({}), lifecycle: 'deactivate' }).action).toBe('deactivated');
    expect(buildReportLine({ sourceId: '1', match: linked, decision: decide({}), lifecycle: 'reactivate' }).action).toBe('reactivated');
  });
  it('lifecycle plus an update → deactivated first, updated kept in also', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({}, { contractEnd: '2025-01-31' }), lifecycle: 'deactivate' });
    expect(line).toMatchObject({ action: 'deactivated', also: ['updated'] });
  });
  it('nothing to do → unchanged; converged fields are not listed', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({ email: 'new@x.fr' }, { email: 'new@x.fr' }) });
    expect(line).toMatchObject({ action: 'unchanged', also: [], changes: [] });
  });
  it('ambiguous → ambiguous, with the candidate targets', () => {
    const line = buildReportLine({ sourceId: '1', match: { kind: 'ambiguous', reason: 'two_targets_same_email', targetIds: ['a', 'b'] } });
    expect(line).toMatchObject({ action: 'ambiguous', ambiguousTargetIds: ['a', 'b'], targetId: null });
  });
  it('quarantined → quarantined, with the reasons', () => {
    const reasons = [{ code: 'invalid_email' as const, field: 'email', message: 'professional email is not a valid address' }];
    const line = buildReportLine({ sourceId: null, quarantine: reasons });
    expect(line).toMatchObject({ action: 'quarantined', reasons, sourceId: null });
  });
  it('every line validates against ReportLineSchema', () => {
    const line = buildReportLine({ sourceId: '1', match: linked, decision: decide({ lastName: 'X' }, {}, 'review') });
    expect(ReportLineSchema.parse(line)).toEqual(line);
  });
});

describe('markError', () => {
  it('makes error primary and keeps the planned action', () => {
    const line = markError(buildReportLine({ sourceId: '1', match: { kind: 'create' }, source: person() }), 'target rejected the record (422)');
    expect(line).toMatchObject({ action: 'error', also: ['created'], error: 'target rejected the record (422)' });
    expect(markError(line, 'again').also).toEqual(['created']);
  });
});
