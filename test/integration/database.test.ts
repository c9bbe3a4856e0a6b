import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { migrateDatabase } from '../../db/migrate.js';
import { createScratchDatabase } from '../../db/postgres.js';
import { testDatabaseUrl } from '../support/database.js';

describe('database migrations (real PostgreSQL)', () => {
  it('create every table of the design, and applying them again changes nothing', async () => {
    const adminUrl = testDatabaseUrl();
    const scratch = await createScratchDatabase(adminUrl, 'lucca_migrate');
    const sql = postgres(scratch.url, { max: 1, onnotice: () => undefined });
    try {
      await migrateDatabase(scratch.url);
      await Promise.all([migrateDatabase(scratch.url), migrateDatabase(scratch.url)]); // concurrent starts are serialised
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
      expect(tables.map((t) => t.table_name)).toEqual([
        'alert_channels', 'audit_log', 'conflicts', 'connection_health', 'connections', 'console_sessions', 'console_setup_drafts', 'console_user_companies',
        'console_users', 'dataset_cursors', 'incidents', 'notifications', 'quarantine', 'rate_limit_events', 'record_links', 'report_lines',
        'snapshots', 'staged_records', 'sync_runs',
      ]);
      const applied = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied[0]?.n).toBeGreaterThanOrEqual(1);
      const keyColumns = await sql<{ column_name: string }[]>`
        select column_name from information_schema.columns where table_name = 'connections' and column_name like '%key%'`;
      expect(keyColumns.map((c) => c.column_name).sort()).toEqual(['lucca_key_enc', 'target_key_enc']);
    } finally {
      await sql.end();
      await scratch.drop();
    }
  });
});
