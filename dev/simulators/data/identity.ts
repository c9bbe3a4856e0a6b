import type { Company } from './company-model.js';
import { emailPart } from './names.js';

/**
 * Professional mail from the names, case kept and accents stripped:
 * `Jean-Baptiste` + `Le Goff` → `Jean-Baptiste.LeGoff@Acme-Corp.fr`. A clash gets a number: `…LeGoff2@…`.
 */
export function uniqueMail(company: Company, firstName: string, lastName: string): string {
  const local = `${emailPart(firstName)}.${emailPart(lastName)}`;
  const key = local.toLowerCase();
  const counters = lastSuffix.get(company) ?? new Map<string, number>();
  lastSuffix.set(company, counters);
  let n = counters.get(key) ?? 1;
  let mail = n === 1 ? `${local}@${company.domain}` : `${local}${n}@${company.domain}`;
  while (company.usedMails.has(mail.toLowerCase())) mail = `${local}${++n}@${company.domain}`;
  counters.set(key, n);
  company.usedMails.add(mail.toLowerCase());
  return mail;
}

/** Last number used per mail local part, so the 40th `Jean.Martin` does not probe 39 taken mails. */
const lastSuffix = new WeakMap<Company, Map<string, number>>();
