-- Row-level security for course documents and their chunks (issue 6), on the template of 0001_academic_rls.sql.
-- Caller transactions (withCallerTx, role app_user) see the documents and chunks of courses they read, and may add or
-- change documents only in courses they manage. Ingestion, upload completion (authorised by the signed URL) and
-- search (scope resolved and applied by core) run as the tables' owner. Idempotent: the lead re-sequences migrations.
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS documents_select ON documents;
--> statement-breakpoint
CREATE POLICY documents_select ON documents FOR SELECT USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[])
);
--> statement-breakpoint
DROP POLICY IF EXISTS documents_insert ON documents;
--> statement-breakpoint
CREATE POLICY documents_insert ON documents FOR INSERT WITH CHECK (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
);
--> statement-breakpoint
DROP POLICY IF EXISTS documents_update ON documents;
--> statement-breakpoint
CREATE POLICY documents_update ON documents FOR UPDATE USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
) WITH CHECK (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
);
--> statement-breakpoint
ALTER TABLE document_chunks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS document_chunks_select ON document_chunks;
--> statement-breakpoint
CREATE POLICY document_chunks_select ON document_chunks FOR SELECT USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[])
);
