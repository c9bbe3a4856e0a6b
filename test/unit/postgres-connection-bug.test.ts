import { describe, expect, it } from 'vitest';
import { isPostgresConnectionBug } from '../../workers/postgres-connection-bug.js';

/** The postgres-js 3.4.9 dropped-connection bug is told apart from every other uncaught exception. */
describe('isPostgresConnectionBug', () => {
  const bug = (message: string, frame: string) => {
    const err = new TypeError(message);
    err.stack = `TypeError: ${message}\n    at Socket.write (${frame}:1:1)`;
    return err;
  };

  it('matches the driver TypeError thrown from its connection', () => {
    expect(isPostgresConnectionBug(bug("Cannot read properties of undefined (reading 'write')", '/app/node_modules/postgres/src/connection.js'))).toBe(true);
  });

  it('does not match the same message from elsewhere, another TypeError, or a non-TypeError', () => {
    expect(isPostgresConnectionBug(bug("Cannot read properties of undefined (reading 'write')", '/app/activities/apply.ts'))).toBe(false);
    expect(isPostgresConnectionBug(bug("Cannot read properties of undefined (reading 'end')", '/app/node_modules/postgres/src/connection.js'))).toBe(false);
    expect(isPostgresConnectionBug(new Error("Cannot read properties of undefined (reading 'write')"))).toBe(false);
    expect(isPostgresConnectionBug('postgres/src/connection.js')).toBe(false);
  });
});
