CREATE TABLE "human_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"token" text NOT NULL,
	"title" text NOT NULL,
	"consent_text" text NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"published" boolean DEFAULT true NOT NULL,
	"settings" jsonb NOT NULL,
	"analysis" jsonb,
	"analysed_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "human_sessions_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "human_participants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"code" text NOT NULL,
	"secret_hash" text NOT NULL,
	"plan" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "human_participants_secret_hash_unique" UNIQUE("secret_hash"),
	CONSTRAINT "human_participants_session_code" UNIQUE("session_id","code")
);
--> statement-breakpoint
CREATE TABLE "human_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"row" jsonb NOT NULL,
	"trial" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "human_responses_once" UNIQUE("session_id","participant_id","trial")
);
--> statement-breakpoint
CREATE TABLE "human_writes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"address_hash" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "human_sessions" ADD CONSTRAINT "human_sessions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_sessions" ADD CONSTRAINT "human_sessions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_sessions" ADD CONSTRAINT "human_sessions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_participants" ADD CONSTRAINT "human_participants_session_id_human_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."human_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_responses" ADD CONSTRAINT "human_responses_session_id_human_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."human_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_responses" ADD CONSTRAINT "human_responses_participant_id_human_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."human_participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "human_writes" ADD CONSTRAINT "human_writes_session_id_human_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."human_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "human_sessions_run_idx" ON "human_sessions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "human_writes_session_idx" ON "human_writes" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "human_writes_address_idx" ON "human_writes" USING btree ("address_hash","at");
