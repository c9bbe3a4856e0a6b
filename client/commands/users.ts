import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { AccountError, addUser, assign, listUsers, setPassword, setRole } from '../../console/auth/users.js';
import { asUsage } from '../errors.js';
import { listing, out } from '../output.js';
import { inContext, withContext } from '../runtime.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** Reads a password from stdin (`--password-stdin`), so it is never in the shell history or `ps`. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A refused account change (unknown user, bad role or password) is the operator's to fix: one line, exit 2. */
const accounts = (fn: () => Promise<void>) => asUsage(AccountError, fn);

/** `users add|set-role|set-password|assign|list`: console accounts (operator, hr-admin, viewer) and their companies. */
export function registerUserCommands(program: Command): void {
  const group = program.command('users').description('manage console accounts: roles and the companies an HR admin or viewer sees');

  group
    .command('add')
    .description('create an account; without --password-stdin a password is generated and printed once')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--role <role>', 'operator (every connection), hr-admin (their companies) or viewer (read-only)')
    .option('--company <id>', 'a company the user sees (repeatable, or comma-separated)', collect)
    .option('--password-stdin', 'read the password from stdin (at least 12 characters)')
    .action(async (options: { email: string; role: string; company?: string[]; passwordStdin?: boolean }) => {
      const generated = !options.passwordStdin;
      const password = generated ? randomBytes(12).toString('base64url') : await readStdin();
      await withContext((ctx) => accounts(async () => {
        const user = await addUser(ctx.db, { email: options.email, password, role: options.role, companies: options.company ?? [] });
        out(`User ${user.email} added: ${user.role}${user.companies.length ? `, companies ${user.companies.join(', ')}` : ''}.`);
        if (generated) out(`Password (shown once): ${password}`);
      }));
    });

  group
    .command('set-role <email> <role>')
    .description('change the role: operator, hr-admin or viewer')
    .action(async (email: string, role: string) => {
      await withContext((ctx) => accounts(async () => {
        await setRole(ctx.db, email, role);
        out(`${email} is now ${role}.`);
      }));
    });

  group
    .command('set-password <email>')
    .description('set a new password, read from stdin')
    .action(async (email: string) => {
      const password = await readStdin();
      await withContext((ctx) => accounts(async () => {
        await setPassword(ctx.db, email, password);
        out(`Password of ${email} changed.`);
      }));
    });

  group
    .command('assign <email> <companies...>')
    .description('let the user see these companies (or stop, with --remove)')
    .option('--remove', 'remove the companies instead')
    .action(async (email: string, companies: string[], options: { remove?: boolean }) => {
      await withContext((ctx) => accounts(async () => {
        await assign(ctx.db, email, companies, { remove: !!options.remove });
        out(`${email} ${options.remove ? 'no longer sees' : 'now sees'} ${companies.join(', ')}.`);
      }));
    });

  group
    .command('list')
    .description('accounts with their role and companies')
    .action(inContext(async (ctx) => {
      listing(await listUsers(ctx.db), 'No console user yet. Add one with: lucca-sync users add --email <email> --role operator', ['email', 'role', 'companies'],
        (u) => [u.email, u.role, u.role === 'operator' ? '(all)' : u.companies.join(', ') || '-']);
    }));
}
