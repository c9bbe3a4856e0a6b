import { CompanySchema } from '../../db/queries/connections.js';
import { setConnectionCompany } from '../../db/queries/console.js';
import { seedDemoUsers, type DemoLogin } from '../../console/auth/users.js';
import { startConsole, type StartConsoleOptions } from '../../console/server.js';

/**
 * For `npm run demo`: puts the demo's connections under one company, creates an operator and an
 * HR admin of that company (fresh random passwords each start), and starts the console.
 * The demo prints `url` and `logins`.
 */
export async function startDemoConsole(options: StartConsoleOptions & { company?: string; connections: readonly string[] }): Promise<{
  url: string;
  logins: DemoLogin[];
  close(): Promise<void>;
}> {
  const company = CompanySchema.parse(options.company ?? 'demo');
  await setConnectionCompany(options.db, options.connections, company);
  const logins = await seedDemoUsers(options.db, company);
  const server = await startConsole(options);
  return { url: server.url, logins, close: server.close };
}

/** The lines the demo prints under its other URLs. */
export function describeDemoConsole(url: string, logins: readonly DemoLogin[]): string {
  return [`Console: ${url}`, ...logins.map((l) => `  ${l.role.padEnd(8)} ${l.email}  password ${l.password}`)].join('\n');
}
