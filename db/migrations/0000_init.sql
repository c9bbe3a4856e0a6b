CREATE TABLE "conflicts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"target_id" text,
	"field" text NOT NULL,
	"base_value" text,
	"source_value" text,
	"target_value" text,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"opened_run_id" uuid,
	"last_seen_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"target" text NOT NULL,
	"lucca_url" text NOT NULL,
	"lucca_key_enc" text NOT NULL,
	"target_url" text NOT NULL,
	"target_key_enc" text NOT NULL,
	"active" boolean NOT NULL,
	"default_policy" text DEFAULT 'lucca-wins' NOT NULL,
	"field_policies" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"deactivation_guard_pct" integer DEFAULT 10 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connections_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"connection_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"last_run_id" uuid,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quarantine_connection_id_dataset_source_id_pk" PRIMARY KEY("connection_id","dataset","source_id")
);
--> statement-breakpoint
CREATE TABLE "rate_limit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bucket" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_links" (
	"connection_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"target_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "record_links_connection_id_dataset_source_id_pk" PRIMARY KEY("connection_id","dataset","source_id")
);
--> statement-breakpoint
CREATE TABLE "report_lines" (
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"target_id" text,
	"action" text NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"also" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"plan" jsonb,
	"outcome" text DEFAULT 'planned' NOT NULL,
	"error" text,
	CONSTRAINT "report_lines_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"connection_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"fields" jsonb NOT NULL,
	"kept" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"target_status" text,
	"run_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "snapshots_connection_id_dataset_source_id_pk" PRIMARY KEY("connection_id","dataset","source_id")
);
--> statement-breakpoint
CREATE TABLE "staged_records" (
	"run_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"source_id" text NOT NULL,
	"page" integer NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "staged_records_run_id_dataset_source_id_pk" PRIMARY KEY("run_id","dataset","source_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"trigger" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"phase" text DEFAULT 'starting' NOT NULL,
	"fetch_complete" boolean DEFAULT false NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "sync_runs_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
ALTER TABLE "conflicts" ADD CONSTRAINT "conflicts_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quarantine" ADD CONSTRAINT "quarantine_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_links" ADD CONSTRAINT "record_links_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_lines" ADD CONSTRAINT "report_lines_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staged_records" ADD CONSTRAINT "staged_records_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "conflicts_open_idx" ON "conflicts" USING btree ("connection_id","dataset","source_id","field") WHERE "conflicts"."status" = 'open';--> statement-breakpoint
CREATE INDEX "rate_limit_events_bucket_idx" ON "rate_limit_events" USING btree ("bucket","at");--> statement-breakpoint
CREATE UNIQUE INDEX "record_links_target_idx" ON "record_links" USING btree ("connection_id","dataset","target_id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_lines_record_idx" ON "report_lines" USING btree ("run_id","dataset","source_id");--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("connection_id","started_at");