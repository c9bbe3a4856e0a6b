import { createInterface } from 'node:readline/promises';
import { UsageError } from './errors.js';

/**
 * Asks the operator to confirm a destructive command on the terminal; `--yes` answers for scripts.
 * Without a terminal and without --yes the command is refused (never assumed).
 */
export async function confirmOrRefuse(options: { yes?: boolean; question: string; refusal: string }): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY) throw new UsageError(`${options.refusal}: confirm with --yes (there is no terminal to ask on).`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${options.question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
