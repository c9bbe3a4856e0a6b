CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"connection_id" uuid,
	"connection_name" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "connections" DROP CONSTRAINT "connections_name_unique";--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "audit_log_connection_idx" ON "audit_log" USING btree ("connection_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "connections_name_live_idx" ON "connections" USING btree ("name") WHERE "connections"."removed_at" is null;