CREATE TABLE "dataset_cursors" (
	"connection_id" uuid NOT NULL,
	"dataset" text NOT NULL,
	"last_since" timestamp (3) with time zone,
	"last_full_read_at" timestamp (3) with time zone,
	"last_run_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dataset_cursors_connection_id_dataset_pk" PRIMARY KEY("connection_id","dataset")
);
--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "full_read_days" integer;--> statement-breakpoint
ALTER TABLE "dataset_cursors" ADD CONSTRAINT "dataset_cursors_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;