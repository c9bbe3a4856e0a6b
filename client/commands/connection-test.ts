import type { Command } from 'commander';
import { allowedHostsFor, validateLuccaUrl, validateTargetUrl } from '../../lib/lucca-url.js';
import { checkTarget } from '../../services/target-check.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { requireConnection, inContext } from '../runtime.js';
import { checkLucca } from '../../services/lucca-check.js';
import { storedMappings, storedScope } from '../../rules/connection-config.js';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function registerConnectionTest(group: Command): void {
  group
    .command('test <name>')
    .description("check the Lucca key (reachability, accepted key, visible fields, former employees, the scope's org data and mapped fields) and the target key (exit 1 if either is unusable)")
    .action(inContext(async (ctx, name: string) => {
      const row = await requireConnection(ctx, name);
      out(`Testing Lucca access of "${row.name}" (${row.luccaUrl})`);
      const result = await checkLucca({
        baseUrl: validateLuccaUrl(row.luccaUrl, allowedHostsFor(ctx.env.LUCCA_ALLOWED_HOSTS, row)),
        apiKey: ctx.cipher.decrypt(row.luccaKeyEnc),
        today: new Date().toISOString().slice(0, 10),
        connection: row.name,
        scope: storedScope(row.scope),
        mappings: storedMappings(row.fieldMappings),
      });
      for (const line of result.lines) out(`  ${MARK[line.level]}  ${line.text}`);
      out(result.usable ? 'The key is usable for the sync.' : 'The key is NOT usable yet: fix the items marked FAIL, then test again.');
      // The target's key, with the same check as the console's setup and relink (services/target-check.ts).
      const target = await checkTarget({
        target: row.target,
        baseUrl: validateTargetUrl(row.targetUrl, allowedHostsFor(ctx.env.LUCCA_ALLOWED_HOSTS, row)),
        apiKey: ctx.cipher.decrypt(row.targetKeyEnc),
      });
      out(`Testing the ${row.target} key (${row.targetUrl})`);
      for (const line of target.lines) out(`  ${MARK[line.level]}  ${line.text}`);
      return result.usable && target.usable ? EXIT.ok : EXIT.failed;
    }));
}
