import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child process and waits for its exit: `signal` first (a clean shutdown), SIGKILL if it is
 * still running `killAfterMs` later. An exited child is left as it is.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}
