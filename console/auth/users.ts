import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import {
  assignCompanies, CompanySchema, EmailSchema, findUserByEmail, insertUser, listUsers, RoleSchema, unassignCompanies, updateUser,
  type Role,
} from '../../db/queries/console-auth.js';
import { hashPassword, isAcceptablePassword, PASSWORD_RULE } from './passwords.js';

/** Console accounts, shared by `lucca-sync users …` and the demo. Errors are one line saying what to fix. */
export class AccountError extends Error {
  override name = 'AccountError';
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new AccountError(`bad ${what} "${String(value)}": expected ${result.error.issues[0]?.message ?? 'a valid value'}.`);
  return result.data;
}

const parseRole = (role: string): Role => parse(RoleSchema, role, 'role');
const parseCompanies = (companies: readonly string[]) => companies.map((c) => parse(CompanySchema, c, 'company'));

async function requireUser(db: Db, email: string) {
  const user = await findUserByEmail(db, parse(EmailSchema, email, 'email'));
  if (!user) throw new AccountError(`unknown user "${email}": see \`lucca-sync users list\`.`);
  return user;
}

export async function addUser(db: Db, input: { email: string; password: string; role: string; companies?: readonly string[] }) {
  const email = parse(EmailSchema, input.email, 'email');
  const role = parseRole(input.role);
  const companies = parseCompanies(input.companies ?? []);
  if (!isAcceptablePassword(input.password)) throw new AccountError(`the password is too short: expected ${PASSWORD_RULE}.`);
  if (await findUserByEmail(db, email)) throw new AccountError(`a user "${email}" already exists: change it with \`lucca-sync users set-role\` or \`users assign\`.`);
  const user = await insertUser(db, { email, passwordHash: await hashPassword(input.password), role });
  await assignCompanies(db, user.id, companies);
  return { email, role, companies };
}

export async function setRole(db: Db, email: string, role: string) {
  const user = await requireUser(db, email);
  await updateUser(db, user.id, { role: parseRole(role) });
}

export async function setPassword(db: Db, email: string, password: string) {
  const user = await requireUser(db, email);
  if (!isAcceptablePassword(password)) throw new AccountError(`the password is too short: expected ${PASSWORD_RULE}.`);
  await updateUser(db, user.id, { passwordHash: await hashPassword(password) });
}

export async function assign(db: Db, email: string, companies: readonly string[], options: { remove?: boolean } = {}) {
  const user = await requireUser(db, email);
  const parsed = parseCompanies(companies);
  if (options.remove) await unassignCompanies(db, user.id, parsed);
  else await assignCompanies(db, user.id, parsed);
}

export { listUsers };

export interface DemoLogin {
  email: string;
  password: string;
  role: Role;
  companies: string[];
}

/**
 * The demo's accounts: an operator, and an HR admin of `company`. Passwords are random per data
 * directory run (printed by the demo), never a shared default. Existing accounts get a new password.
 */
export async function seedDemoUsers(db: Db, company: string): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [
    { email: 'operator@demo.local', password: randomBytes(9).toString('base64url'), role: 'operator', companies: [] },
    { email: `hr@${company}.demo.local`, password: randomBytes(9).toString('base64url'), role: 'hr-admin', companies: [company] },
  ];
  for (const login of logins) {
    if (await findUserByEmail(db, login.email)) {
      await setPassword(db, login.email, login.password);
      await setRole(db, login.email, login.role);
      await assign(db, login.email, login.companies);
    } else await addUser(db, login);
  }
  return logins;
}
