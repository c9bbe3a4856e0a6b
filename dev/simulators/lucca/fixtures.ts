import { generateCompany, type GenerateCompanyOptions } from '../data/company.js';
import type { ApiKey } from './roles.js';
import { startLuccaSimulator, type LuccaSimulator, type LuccaSimulatorOptions } from './server.js';

export { CORE_HR_ROLE, FULL_ROLE } from './roles.js';

export interface DemoLucca {
  sim: LuccaSimulator;
  /** The instance URL to configure a client with. */
  url: string;
  apiKey: string;
}

/**
 * One simulator with one instance (`demo` unless named) of generated employees and one full-access
 * key: the CLI, the benchmark and tests share this shortcut.
 */
export async function startDemoLucca(
  options: LuccaSimulatorOptions & {
    instance?: string;
    apiKey?: string;
    keys?: ApiKey[];
    company?: GenerateCompanyOptions;
  } = {},
): Promise<DemoLucca> {
  const { instance = 'demo', apiKey = 'demo-key', keys, company, ...simOptions } = options;
  const sim = await startLuccaSimulator(simOptions);
  sim.addInstance({
    name: instance,
    company: generateCompany(company ?? { employees: 200, seed: 1 }),
    keys: keys ?? [{ key: apiKey, name: 'demo' }],
  });
  return { sim, url: sim.instanceUrl(instance), apiKey };
}

export interface SimResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON; undefined when the body is empty or not JSON (a truncated answer). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

/** GET with the Lucca key header (`scheme` lets tests vary its case); `key: null` sends no header. */
export async function luccaGet(url: string, key: string | null, scheme = 'lucca'): Promise<SimResponse> {
  const res = await fetch(url, { headers: key === null ? {} : { authorization: `${scheme} application=${key}` } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}
