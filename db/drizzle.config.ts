import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration from db/schema.ts; migrations apply at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
