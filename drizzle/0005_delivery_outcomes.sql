CREATE TABLE "provider_health" (
	"transport" text PRIMARY KEY NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_failure_ms" integer
);
--> statement-breakpoint
ALTER TABLE "recovery_flows" ADD COLUMN "delivery_status" text;--> statement-breakpoint
CREATE INDEX "outbox_messages_provider_idx" ON "outbox_messages" USING btree ("provider_id");