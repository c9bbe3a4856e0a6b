ALTER TABLE "connections" ADD COLUMN "scope" jsonb;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "field_mappings" jsonb DEFAULT '[]'::jsonb NOT NULL;