import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * Each integration test file has a database of its own, a copy of the migrated template the global
 * setup prepared (`create database … template …` copies a few megabytes: a fraction of a second).
 * Files run several at a time; with a database each, one file's rows, locks, terminated backends
 * or failure can never reach another's. test/setup/file-database.ts creates it before the file's
 * first test and drops it after its last.
 */

let current: string | undefined;

/** The URL of this test file's own database (migrated, empty). */
export function testDatabaseUrl(): string {
  if (current === undefined) throw new Error('no test database: test/setup/file-database.ts runs before every integration file');
  return current;
}

/** Databases of one run are named `<template>_f<hex>`, so the global teardown can drop leftovers by prefix. */
export const fileDatabasePrefix = (template: string) => `${template}_f`;

export async function createFileDatabase(adminUrl: string, template: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${fileDatabasePrefix(template)}${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    // Several files may copy the template at the same instant; Postgres serialises what must be.
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  current = url.toString();
  return {
    url: current,
    drop: async () => {
      current = undefined;
      const again = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        // FORCE: a worker process a failed test left behind must not keep the database alive.
        await again.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.end({ timeout: 5 });
      }
    },
  };
}

/** Drops every database of this run still there (a file whose process died before its own drop). */
export async function dropFileDatabases(adminUrl: string, template: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const prefix = fileDatabasePrefix(template);
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where starts_with(datname, ${prefix})`;
    for (const { datname } of rows) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
