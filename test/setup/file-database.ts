import { afterAll, inject } from 'vitest';
import { createFileDatabase } from '../support/database.js';

// Runs before each integration file, in the file's own process: its database, copied from the
// migrated template, dropped after the file's last test (its afterAll hooks run first).
const database = await createFileDatabase(inject('postgresAdminUrl'), inject('databaseTemplate'));
afterAll(() => database.drop());
