import type { SessionUser } from '../db/queries/console-auth.js';
import type { ServiceContext } from '../services/connections.js';
import { ServiceError } from '../services/errors.js';
import { ConsoleError, type ConsoleDeps } from './deps.js';

/** The console as a caller of the shared services (services/*): the signed-in account is the actor. */
export const serviceContext = (deps: ConsoleDeps, user: SessionUser): ServiceContext => ({
  db: deps.db, cipher: deps.cipher, client: deps.client, env: deps.env, actor: { kind: 'account', id: user.email, role: user.role },
});

const CLI_WORDS: Array<[RegExp, string]> = [
  [/ ?Check the key's role in Lucca, or pass --confirm-less-access if this is intended\./, " Check the key's role in Lucca, or tick \"the new Lucca key may see less\" if this is intended."],
  [/give it again with --(lucca|target)-key/, 'paste it again'],
];
const inConsoleWords = (message: string) => CLI_WORDS.reduce((m, [from, to]) => m.replace(from, to), message);

/** The shared services' refusals as console answers (the same one-line messages, in the console's words). */
export async function viaService<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    const status = ({ invalid: 400, not_found: 404, conflict: 409, refused: 409, busy: 409, forbidden: 403 } as const)[err.kind];
    throw new ConsoleError(status, inConsoleWords(err.message));
  }
}

