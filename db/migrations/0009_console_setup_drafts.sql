CREATE TABLE "console_setup_drafts" (
	"session_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"data_enc" text NOT NULL,
	"connection_id" uuid,
	"preview_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "console_setup_drafts" ADD CONSTRAINT "console_setup_drafts_session_hash_console_sessions_token_hash_fk" FOREIGN KEY ("session_hash") REFERENCES "public"."console_sessions"("token_hash") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_setup_drafts" ADD CONSTRAINT "console_setup_drafts_user_id_console_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."console_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_setup_drafts" ADD CONSTRAINT "console_setup_drafts_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE set null ON UPDATE no action;