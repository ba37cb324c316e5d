CREATE TABLE "golden_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"question" text NOT NULL,
	"document_id" uuid,
	"expected_quote" text NOT NULL,
	"expected_answer" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "golden_results" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"question_id" uuid NOT NULL,
	"question" text NOT NULL,
	"rank" integer,
	"answer" text DEFAULT '' NOT NULL,
	"answer_hit" boolean,
	"refused" boolean DEFAULT false NOT NULL,
	"refusal" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "golden_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"job_id" uuid,
	"requested_by" uuid,
	"corpus_version" integer,
	"model" text,
	"k" integer DEFAULT 5 NOT NULL,
	"totals" jsonb,
	"previous_run_id" uuid,
	"dropped" boolean DEFAULT false NOT NULL,
	"regressions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "golden_questions" ADD CONSTRAINT "golden_questions_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "golden_questions" ADD CONSTRAINT "golden_questions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "golden_results" ADD CONSTRAINT "golden_results_run_id_golden_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."golden_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "golden_results" ADD CONSTRAINT "golden_results_question_id_golden_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."golden_questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "golden_runs" ADD CONSTRAINT "golden_runs_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "golden_runs" ADD CONSTRAINT "golden_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "golden_questions_course_idx" ON "golden_questions" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "golden_questions_created_by_idx" ON "golden_questions" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "golden_results_run_idx" ON "golden_results" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "golden_results_course_idx" ON "golden_results" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "golden_results_question_idx" ON "golden_results" USING btree ("question_id");--> statement-breakpoint
CREATE INDEX "golden_runs_course_idx" ON "golden_runs" USING btree ("course_id","created_at");--> statement-breakpoint
CREATE INDEX "golden_runs_requested_by_idx" ON "golden_runs" USING btree ("requested_by");