CREATE TABLE "document_terms" (
	"document_id" uuid NOT NULL,
	"generation" integer NOT NULL,
	"term" text NOT NULL,
	"df" integer NOT NULL,
	CONSTRAINT "document_terms_document_id_generation_term_pk" PRIMARY KEY("document_id","generation","term")
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "term_total" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "document_terms" ADD CONSTRAINT "document_terms_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "document_chunks_course_terms_idx" ON "document_chunks" USING gin (array_to_tsvector(string_to_array(right("course_id"::text, 12) || replace("search_text", ' ', ' ' || right("course_id"::text, 12)), ' ')));