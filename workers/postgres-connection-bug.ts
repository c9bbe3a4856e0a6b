/**
 * postgres-js 3.4.9 (porsager/postgres#1154, #1208): when PostgreSQL drops a connection inside a
 * transaction, the driver throws from a timer instead of rejecting, and leaves that pooled connection
 * unusable. The query itself already failed and Temporal retries its activity: what is left to do is
 * to stop using that pool. The worker process drains and exits 1 (its supervisor starts a fresh
 * one); the demo, which runs its worker in-process, replaces the worker and its pool.
 */

/** True for the driver's uncaught TypeError (the error carries no data, only the driver's stack). */
export function isPostgresConnectionBug(err: unknown): boolean {
  return err instanceof TypeError && err.message.includes("reading 'write'") && !!err.stack?.includes('postgres/src/connection.js');
}

/**
 * Installs the process's uncaughtException handler: the driver bug calls `onBug` (the process goes
 * on); any other uncaught exception stays fatal (its stack on stderr, exit 1), as without a handler.
 * Returns a function that removes the handler.
 */
export function onPostgresConnectionBug(onBug: () => void): () => void {
  const handler = (err: Error) => {
    if (!isPostgresConnectionBug(err)) {
      process.stderr.write(`${err.stack ?? String(err)}\n`);
      process.exit(1);
    }
    onBug();
  };
  process.on('uncaughtException', handler);
  return () => process.off('uncaughtException', handler);
}
