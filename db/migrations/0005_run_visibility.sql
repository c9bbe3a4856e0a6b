ALTER TABLE "sync_runs" ADD COLUMN "visibility" jsonb;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "notice" text;