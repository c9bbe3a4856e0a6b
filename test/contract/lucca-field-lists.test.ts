/**
 * Every field any client asks Lucca for exists on the simulator's model of that resource, so a field
 * Lucca does not have can never pass silently again: Lucca answers 400 to an unknown name in `fields`
 * (LuccaSA/RestDrivenDomain: "Unknown property {0} on type {1}"), and the simulator checks requests
 * against the same models (dev/simulators/lucca/resources.ts).
 */
import { describe, expect, it } from 'vitest';
import * as schemas from '../../activities/lucca/schemas.js';
import { CHECKED_FIELDS } from '../../services/lucca-check.js';
import { unknownFields, type TypeName } from '../../dev/simulators/lucca/resources.js';

/** Which resource each exported field list is sent to; a new list without an entry fails the first test. */
const RESOURCE_OF: Record<string, TypeName> = {
  HAPPYPAL_USER_FIELDS: 'User',
  REFLECT_USER_FIELDS: 'User',
  SCOPE_USER_FIELDS: 'User',
  LEAVE_FIELDS: 'Leave',
  EXPENSE_CLAIM_FIELDS: 'ExpenseClaim',
};

const fieldLists = Object.entries(schemas).filter(([name]) => name.endsWith('_FIELDS')) as Array<[string, readonly string[]]>;

describe('client field lists against the simulator\'s resource models', () => {
  it('maps every *_FIELDS list exported by the Lucca schemas to a resource', () => {
    expect(fieldLists.length).toBeGreaterThanOrEqual(4);
    expect(fieldLists.map(([name]) => name).filter((name) => !(name in RESOURCE_OF))).toEqual([]);
  });

  it.each(fieldLists)('%s: every field exists on the resource', (name, fields) => {
    expect(unknownFields(fields, RESOURCE_OF[name] as TypeName)).toEqual([]);
  });

  it('the connection check\'s user fields exist on User', () => {
    expect(unknownFields(['id', 'dtContractEnd', ...CHECKED_FIELDS], 'User')).toEqual([]);
  });

  it('finds a field the resource lacks, at any depth (the check can fail)', () => {
    expect(unknownFields(['id', 'modifiedAt', 'leavePeriod.ownerId', 'leavePeriod.startsOn', 'leaveAccount.name'], 'Leave'))
      .toEqual(['modifiedAt', 'leavePeriod.startsOn']);
    expect(unknownFields(['department.name', 'department.bogus', 'extendedData.e_badge', 'userAxisValues_2.id'], 'User'))
      .toEqual(['department.bogus']);
  });
});
