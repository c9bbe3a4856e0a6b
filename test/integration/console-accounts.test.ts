import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../config/env.js';
import { describeDemoConsole, startDemoConsole } from '../../dev/demo/console.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { findUserByEmail } from '../../db/queries/console-auth.js';
import { insertConnection } from '../../db/queries/connections.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger } from '../../lib/logger.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { call, signInApi } from '../support/console-harness.js';
import { testDatabaseUrl } from '../support/database.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs');
const suffix = `${process.pid}-${Date.now().toString(36)}`;
let db: DbHandle;
let dataDir: string;

interface Result { code: number; stdout: string; stderr: string }
function cli(args: string[], stdin?: string): Promise<Result> {
  const env = { DATABASE_URL: testDatabaseUrl(), DATA_DIR: dataDir, LOG_LEVEL: 'silent', CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, cwd: PROJECT_ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

beforeAll(() => {
  db = createDb(testDatabaseUrl(), { max: 2 });
  dataDir = mkdtempSync(path.join(tmpdir(), 'console-accounts-'));
});
afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('lucca-sync users', () => {
  it('adds, assigns, changes the role of and lists console accounts, with argon2id hashes', async () => {
    const email = `anna-${suffix}@acme.test`;
    const added = await cli(['users', 'add', '--email', email, '--role', 'hr-admin', '--company', `acme-${suffix}`]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`User ${email} added: hr-admin, companies acme-${suffix}.`);
    const password = /Password \(shown once\): (\S+)/.exec(added.stdout)?.[1];
    expect(password).toHaveLength(16);
    const stored = await findUserByEmail(db.db, email);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored?.passwordHash).not.toContain(password);

    expect((await cli(['users', 'assign', email, `globex-${suffix}`])).stdout).toContain(`now sees globex-${suffix}`);
    expect((await cli(['users', 'set-role', email, 'viewer'])).stdout).toContain('is now viewer');
    const list = await cli(['users', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${email.replace(/[.]/g, '\\.')}\\s+viewer\\s+acme-${suffix}, globex-${suffix}`));

    const withStdin = await cli(['users', 'add', '--email', `ops-${suffix}@test.local`, '--role', 'operator', '--password-stdin'], 'a long enough password\n');
    expect(withStdin.stdout).not.toContain('Password');
  });

  it('refuses bad input with one line and exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['users', 'add', '--email', 'not-an-email', '--role', 'operator'], 'bad email "not-an-email"'],
      [['users', 'add', '--email', `x-${suffix}@t.test`, '--role', 'admin'], 'bad role "admin"'],
      [['users', 'add', '--email', `x-${suffix}@t.test`, '--role', 'hr-admin', '--company', '<b>Acme</b>'], 'bad company "<b>Acme</b>"'],
      [['users', 'set-role', `nobody-${suffix}@t.test`, 'viewer'], `unknown user "nobody-${suffix}@t.test"`],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const short = await cli(['users', 'add', '--email', `y-${suffix}@t.test`, '--role', 'viewer', '--password-stdin'], 'short');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');
  });
});

describe('the demo console', () => {
  it('puts the demo connection under a company, seeds an operator and an HR admin, and serves the console', async () => {
    const cipher = createCredentialCipher(Buffer.alloc(32, 7));
    const company = `demo-${suffix}`;
    const mine = await insertConnection(db.db, cipher, {
      name: `demo-${suffix}`, target: 'happypal', luccaUrl: 'https://demo.ilucca.net', luccaKey: 'demo-lucca-key-123', targetUrl: 'https://api.happypal.fr', targetKey: 'demo-hp-key-123',
    });
    const demo = await startDemoConsole({
      env: parseEnv({}), db: db.db, cipher, port: 0, host: '127.0.0.1', logger: createLogger('silent'),
      client: () => Promise.reject(new Error('no Temporal in this test')), company, connections: [mine.name],
    });
    try {
      expect(describeDemoConsole(demo.url, demo.logins)).toContain(`Console: ${demo.url}`);
      const hr = demo.logins.find((l) => l.role === 'hr-admin')!;
      const session = await signInApi(demo.url, hr);
      const list = (await call(demo.url, 'GET', '/api/connections', { session })).json() as { connections: Array<{ name: string; company: string }> };
      expect(list.connections).toEqual([expect.objectContaining({ name: mine.name, company })]);
    } finally {
      await demo.close();
    }
  });
});
