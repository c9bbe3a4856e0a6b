/**
 * A start-up failure the operator can fix (a port in use, a missing binary, a server that cannot
 * start): one sentence with the cause, then what to do. Printed as one line, without a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(cause: string, fix: string) {
    super(`${cause}: ${fix}`);
  }
}

/** A Temporal binary (CLI or test server) is missing or of the wrong version: the message names the fix. */
export class BinaryNotFoundError extends Error {
  override name = 'BinaryNotFoundError';
}
