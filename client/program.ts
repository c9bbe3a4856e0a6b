import { Command, CommanderError } from 'commander';
import { registerAlertCommands } from './commands/alerts.js';
import { registerConflictCommands } from './commands/conflicts.js';
import { registerConnectionCommands } from './commands/connection.js';
import { registerIncidentCommands } from './commands/incidents.js';
import { registerReportCommands } from './commands/report.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerUserCommands } from './commands/users.js';
import { EXIT, reportFailure } from './errors.js';

/** The `lucca-sync` command tree. Settings are set before the groups so every subcommand inherits them. */
export function buildProgram(): Command {
  const program = new Command('lucca-sync')
    .description('Operate Lucca → HappyPal / Reflect connectors running on Temporal.')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      // Commander's own errors on one line ("error: unknown option '--x' (Did you mean --y?)").
      outputError: (message) => process.stderr.write(`${message.trim().replace(/\s*\n\s*/g, ' ')}\n`),
      // The help commander prints for an incomplete command is replaced by one line (see runCli).
      writeErr: () => undefined,
    });
  registerConnectionCommands(program);
  registerScheduleCommands(program);
  registerSyncCommands(program);
  registerRunsCommands(program);
  registerReportCommands(program);
  registerConflictCommands(program);
  registerIncidentCommands(program);
  registerAlertCommands(program);
  registerUserCommands(program);
  return program;
}

/** Parses and runs one command line; returns the exit code (0 ok, 1 failure, 2 bad input). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (err.code === 'commander.help') process.stderr.write(`${missingCommand(program, argv)}\n`);
      // Commander already printed its one-line message (or the help of an incomplete command).
      return EXIT.usage;
    }
    return reportFailure(err);
  }
}

/** `lucca-sync connection` alone: name the subcommands instead of printing the whole help. */
function missingCommand(program: Command, argv: readonly string[]): string {
  let command = program;
  const path = ['lucca-sync'];
  for (const token of argv) {
    const next = command.commands.find((c) => c.name() === token);
    if (!next) break;
    command = next;
    path.push(token);
  }
  const names = command.commands.map((c) => c.name()).filter((n) => n !== 'help');
  return `error: missing command: ${path.join(' ')} <${names.join('|')}>; see ${path.join(' ')} --help.`;
}
