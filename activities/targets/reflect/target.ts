import { REFLECT_USER_FIELDS } from '../../lucca/schemas.js';
import type { TargetDescriptor } from '../target.js';

/** Reflect's datasets in report order (also the order of their report sections): the one list of them. */
export const REFLECT_DATASETS = ['employees', 'compensation', 'absences', 'expenses'] as const;
export type ReflectDataset = (typeof REFLECT_DATASETS)[number];

const LABEL = { employees: 'employees', compensation: 'compensation', absences: 'absences', expenses: 'expense reports' } as const satisfies Record<ReflectDataset, string>;

/** Reflect (HR analytics): four independent datasets. Plain data (registry.ts). */
export const REFLECT = {
  name: 'reflect',
  label: 'Reflect',
  datasets: REFLECT_DATASETS.map((name) => ({ name, label: LABEL[name] })),
  luccaFields: REFLECT_USER_FIELDS,
  defaultUrl: 'https://api.getreflect.io',
  // The publisher activates a Reflect connection (`connection activate`) once its contract is signed.
  startsActive: false,
  keyContact: 'your Reflect contact',
  // A key without Pagga rights stops compensation, not absences: the run is partial and says why.
  onForbidden: 'skip-dataset',
  linesPerActivity: 2000,
} as const satisfies TargetDescriptor<'reflect'>;
