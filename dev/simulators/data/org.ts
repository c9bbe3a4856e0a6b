import type { Rng } from '../shared/rng.js';
import { DEPARTMENT_NAMES, REGIONS } from './names.js';
import type { Department, LegalEntity } from './types.js';

/** Departments: about one per 25 employees (3 to 200), named `Ventes` then `Ventes – Bretagne`… */
export function makeDepartments(employees: number): Department[] {
  const count = Math.max(3, Math.min(200, Math.ceil(employees / 25)));
  const departments: Department[] = [];
  for (let i = 0; i < count; i++) {
    const base = DEPARTMENT_NAMES[i % DEPARTMENT_NAMES.length] ?? 'Services';
    const round = Math.floor(i / DEPARTMENT_NAMES.length);
    const name = round === 0 ? base : `${base} – ${REGIONS[(round - 1) % REGIONS.length] ?? 'France'}${round > REGIONS.length ? ` ${round}` : ''}`;
    departments.push({ id: 100 + i, name });
  }
  return departments;
}

export function makeLegalEntities(employees: number, companyName: string): LegalEntity[] {
  const all: LegalEntity[] = [
    { id: 1, name: `${companyName} SAS`, code: 'FR01' },
    { id: 2, name: `${companyName} Services SARL`, code: 'FR02' },
    { id: 3, name: `${companyName} Île-de-France SAS`, code: 'FR03' },
    { id: 4, name: `${companyName} Suisse SA`, code: 'CH01' },
  ];
  const count = employees < 50 ? 1 : employees < 1000 ? 2 : 4;
  return all.slice(0, count);
}

export function pickIndex(rng: Rng, length: number): number {
  return Math.floor(rng() * length);
}
