/**
 * planRecords: bad records are quarantined — listed with PII-free reasons, never written — and
 * never stop the rest of the run (docs/design.md §3 "Bad records").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { planRecords, type Plan, type PlannedLine } from '../../activities/targets/happypal/plan-records.js';
import { aLuccaUser, aPlanInput, aRawSource, aSource, aSyncedEmployee, withEmployees } from './support/builders.js';

function lineOf(plan: Plan, sourceId: string): PlannedLine {
  const found = plan.lines.filter((l) => l.sourceId === sourceId);
  expect(found, `exactly one line for source ${sourceId}`).toHaveLength(1);
  return found[0] as PlannedLine;
}

const codes = (line: PlannedLine) => (line.reasons as { code: string }[]).map((r) => r.code);

// Personal values used in the bad records below; none may appear in a reason.
const SECRET_FIRST = 'Gwendolyn';
const SECRET_LAST = 'Quarantaine';
const BAD_MAIL = 'gwendolyn.quarantaine@@acme';
const FUTURE_BIRTH = '2031-07-14';

const badRecords = () => [
  aRawSource('21', aLuccaUser({ id: 21, firstName: SECRET_FIRST, lastName: SECRET_LAST, mail: BAD_MAIL })),
  aRawSource('22', aLuccaUser({ id: 22, firstName: SECRET_FIRST, lastName: null })),
  aRawSource('23', aLuccaUser({ id: 23, firstName: SECRET_FIRST, lastName: SECRET_LAST, birthDate: `${FUTURE_BIRTH}T00:00:00` })),
  aRawSource('24', `{"id":24,"firstName":"${SECRET_FIRST}"}`), // a string, not an object
  aRawSource('25', JSON.parse(`{"__proto__":{"id":25,"firstName":"${SECRET_FIRST}","lastName":"${SECRET_LAST}","mail":"x@acme.example"}}`)),
];

afterEach(() => {
  // No payload may ever reach Object.prototype.
  for (const key of ['id', 'firstName', 'lastName', 'mail', 'polluted']) expect(Object.hasOwn(Object.prototype, key), key).toBe(false);
});

describe('planRecords: quarantine', () => {
  it('invalid items become "quarantined" lines with reasons, and entries in plan.quarantined; the rest is still planned', () => {
    const good = aLuccaUser({ id: 30 });
    const plan = planRecords(aPlanInput({ sources: [...badRecords(), aSource(good)] }));
    expect(plan.blockedReason).toBeNull();
    expect(plan.quarantined.map((q) => q.sourceId)).toEqual(['21', '22', '23', '24', '25']);
    for (const id of ['21', '22', '23', '24', '25']) {
      const line = lineOf(plan, id);
      expect(line, id).toMatchObject({ action: 'quarantined', also: [], plan: null, outcome: 'reported', targetId: null, changes: [] });
      expect(line.reasons.length, id).toBeGreaterThan(0);
      expect(plan.quarantined.find((q) => q.sourceId === id)?.reasons, id).toEqual(line.reasons);
    }
    expect(lineOf(plan, '30')).toMatchObject({ action: 'created', outcome: 'planned' });
  });

  it('each bad record carries the precise reason', () => {
    const plan = planRecords(aPlanInput({ sources: badRecords() }));
    expect(codes(lineOf(plan, '21'))).toEqual(['invalid_email']);
    expect(lineOf(plan, '21').reasons).toEqual([expect.objectContaining({ field: 'email' })]);
    expect(codes(lineOf(plan, '22'))).toEqual(['missing_last_name']);
    expect(lineOf(plan, '22').reasons).toEqual([expect.objectContaining({ field: 'lastName' })]);
    expect(codes(lineOf(plan, '23'))).toEqual(['birth_date_in_future']);
    expect(lineOf(plan, '23').reasons).toEqual([expect.objectContaining({ field: 'birthDate' })]);
    expect(codes(lineOf(plan, '24'))).toEqual(['malformed_record']);
    expect(codes(lineOf(plan, '25'))).toEqual(['malformed_record']); // the fields under __proto__ are not read
  });

  it('reason messages contain no personal value', () => {
    const plan = planRecords(aPlanInput({ sources: badRecords() }));
    const text = JSON.stringify([plan.quarantined, plan.lines.map((l) => l.reasons)]);
    for (const secret of [SECRET_FIRST, SECRET_LAST, BAD_MAIL, FUTURE_BIRTH, '1990-01-02', 'acme']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('several problems in one record are all listed', () => {
    const user = aLuccaUser({ id: 26, firstName: '   ', mail: 'nope', dtContractEnd: '2019-01-01T00:00:00' });
    const line = lineOf(planRecords(aPlanInput({ sources: [aSource(user)] })), '26');
    expect(codes(line).sort()).toEqual(['contract_end_before_start', 'invalid_email', 'missing_first_name']);
  });

  it.each([
    ['null', null],
    ['an array', [aLuccaUser({ id: 27 })]],
    ['a number', 27],
    ['an object without id', { firstName: 'A', lastName: 'B', mail: 'a@acme.example' }],
    ['an object with a string id', { ...aLuccaUser({ id: 27 }), id: '27' }],
  ])('a malformed record (%s) is quarantined as malformed_record', (_name, data) => {
    const plan = planRecords(aPlanInput({ sources: [aRawSource('27', data)] }));
    expect(plan.quarantined).toEqual([{ sourceId: '27', reasons: expect.arrayContaining([expect.objectContaining({ code: 'malformed_record' })]) }]);
    expect(lineOf(plan, '27')).toMatchObject({ action: 'quarantined', plan: null, outcome: 'reported' });
  });

  it('a __proto__ key next to real fields is inert: only own known fields are read', () => {
    const payload = JSON.parse(
      '{"id":28,"firstName":"Ann","mail":"ann@acme.example","birthDate":null,"dtContractStart":null,"dtContractEnd":null,' +
        '"__proto__":{"lastName":"Injected","polluted":true}}',
    ) as unknown;
    const plan = planRecords(aPlanInput({ sources: [aRawSource('28', payload)] }));
    expect(codes(lineOf(plan, '28'))).toEqual(['missing_last_name']);
  });

  it('fields inherited through a real prototype are not read either', () => {
    const data = Object.assign(Object.create({ lastName: 'Inherited' }) as object, { ...aLuccaUser({ id: 29 }), lastName: undefined });
    delete (data as { lastName?: unknown }).lastName;
    const plan = planRecords(aPlanInput({ sources: [aRawSource('29', data)] }));
    expect(codes(lineOf(plan, '29'))).toEqual(['missing_last_name']);
  });

  it('a quarantined linked employee is neither updated nor deactivated, and its open conflicts stay open', () => {
    const e = aSyncedEmployee(12, { lucca: { lastName: '' } });
    const plan = planRecords(aPlanInput({ ...withEmployees([e]), openConflicts: [{ sourceId: '12', field: 'firstName' }] }));
    expect(plan.lines).toHaveLength(1);
    expect(lineOf(plan, '12')).toMatchObject({ action: 'quarantined', plan: null });
    expect(plan.blockedReason).toBeNull();
  });

  it('a run of only bad records still returns a plan (one bad record never fails a run)', () => {
    const plan = planRecords(aPlanInput({ sources: badRecords() }));
    expect(plan.lines).toHaveLength(5);
    expect(plan.lines.every((l) => l.plan === null)).toBe(true);
  });
});
