import type { Command } from 'commander';
import { addChannel, AlertInputError, describeChannel, listChannels, removeChannel, sendTest, type ChannelInput } from '../../services/alerts.js';
import { asUsage, UsageError } from '../errors.js';
import { listing, out } from '../output.js';
import { requireConnection, inContext } from '../runtime.js';

interface AddOptions {
  webhook?: string;
  secret?: string;
  slack?: string;
  email?: string;
  smtp?: string;
  from?: string;
  connection?: string;
}

/** Bad channel input is the operator's to fix: one line, exit 2. */
const badChannel = <T>(fn: () => Promise<T>) => asUsage(AlertInputError, fn);

function channelInput(name: string, o: AddOptions, connectionId: string | null): ChannelInput {
  const kinds = [o.webhook && 'webhook', o.slack && 'slack', o.email && 'email'].filter(Boolean);
  if (kinds.length !== 1) throw new UsageError('give exactly one of --webhook <url>, --slack <url> or --email <address>.');
  if (o.webhook) {
    if (!o.secret) throw new UsageError('--webhook needs --secret <signing secret> (16 characters or more): receivers check the signature with it.');
    return { kind: 'webhook', name, url: o.webhook, secret: o.secret, connectionId };
  }
  if (o.slack) return { kind: 'slack', name, url: o.slack, connectionId };
  if (!o.smtp) throw new UsageError('--email needs --smtp <smtp://user:password@host:587>.');
  return { kind: 'email', name, to: o.email as string, smtpUrl: o.smtp, ...(o.from && { from: o.from }), connectionId };
}

/** `alerts add|list|remove|test`: where incidents are notified (secrets encrypted, shown masked). */
export function registerAlertCommands(program: Command): void {
  const group = program.command('alerts').description('alert channels notified when incidents open and resolve');
  group
    .command('add <name>')
    .description('add a channel: --webhook <url> --secret <s>, --slack <url>, or --email <to> --smtp <url> [--from <addr>]; global unless --connection')
    .option('--webhook <url>', 'POST signed JSON to this URL')
    .option('--secret <secret>', 'the webhook signing secret (HMAC-SHA256 over "<timestamp>.<body>")')
    .option('--slack <url>', 'a Slack incoming-webhook URL')
    .option('--email <address>', 'send email to this address')
    .option('--smtp <url>', 'the SMTP server: smtp://user:password@host:587 (smtps:// for TLS on connect)')
    .option('--from <address>', 'the sender address')
    .option('--connection <name>', 'only for this connection (default: every connection)')
    .action(inContext(async (ctx, name: string, options: AddOptions) => {
      const connection = options.connection ? await requireConnection(ctx, options.connection) : null;
      const input = channelInput(name, options, connection?.id ?? null);
      const channel = await badChannel(() => addChannel(ctx.db, ctx.cipher, ctx.env.LUCCA_ALLOWED_HOSTS, input));
      out(`Added ${channel.kind} channel "${channel.name}" (${connection ? `connection ${connection.name}` : 'every connection'}): ${describeChannel(channel, ctx.cipher)}.`);
      out(`Try it: lucca-sync alerts test ${channel.name}`);
    }));
  group
    .command('list')
    .description('list alert channels (secrets masked)')
    .action(inContext(async (ctx) => {
      listing(await listChannels(ctx.db), 'No alert channels. Add one with: lucca-sync alerts add --help', ['name', 'kind', 'scope', 'where'], (r) => [
        r.name, r.kind, r.connection ?? (r.fromEnv ? 'every connection (env)' : 'every connection'), describeChannel(r, ctx.cipher),
      ]);
    }));
  group
    .command('remove <name>')
    .description('remove an alert channel')
    .action(inContext(async (ctx, name: string) => {
      if (!(await removeChannel(ctx.db, name))) throw new UsageError(`unknown alert channel "${name}": run \`lucca-sync alerts list\` to see the channels.`);
      out(`Removed alert channel "${name}".`);
    }));
  group
    .command('test <name>')
    .description('send a test notification on a channel now')
    .action(inContext(async (ctx, name: string) => {
      const channel = await badChannel(() => sendTest(ctx.db, ctx.cipher, name, new Date())).catch((err: unknown) => {
        if (err instanceof UsageError) throw err;
        throw new Error(`the test notification on "${name}" failed: ${err instanceof Error ? err.message : String(err)}.`);
      });
      out(`Sent a test notification on ${channel.kind} channel "${channel.name}".`);
    }));
}
